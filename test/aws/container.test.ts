import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromContainer } from '../../src/aws/credentials/container.js';
import { createMetadataDispatcher } from '../../src/net/dispatchers.js';
import { startContainerFake, type ContainerFake } from '../helpers/container-fake.js';
import { failLine, tempDir, writeFile } from './helpers.js';

let token = 'pod-identity-token-1';
let podIdentity: ContainerFake;
let ecs: ContainerFake;
const dispatcher = createMetadataDispatcher({});

beforeAll(async () => {
  [podIdentity, ecs] = await Promise.all([
    startContainerFake({ token: () => token, flavour: 'pod-identity' }),
    startContainerFake({ flavour: 'ecs' }),
  ]);
});
afterAll(async () => {
  await Promise.all([podIdentity.close(), ecs.close(), dispatcher.close()]);
});

const provider = (env: NodeJS.ProcessEnv, ecsHost?: string) => fromContainer({ env, dispatcher, timeoutMs: 1000, ecsHost });

describe('container credentials', () => {
  it('ECS: GETs the relative URI on the ECS host', async () => {
    const p = provider({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/task-1234' }, ecs.url);
    const c = await p();
    expect(c).toMatchObject({ accessKeyId: ecs.issued.at(-1)!.accessKeyId, sessionToken: ecs.issued.at(-1)!.token });
    expect(c.expiration).toBeInstanceOf(Date);
    expect(ecs.received.at(-1)).toMatchObject({ method: 'GET', path: '/v2/credentials/task-1234' });
    expect(ecs.received.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('Pod Identity: full URI with the token file re-read on every call (it rotates)', async () => {
    const dir = tempDir();
    const file = writeFile(join(dir, 'eks-pod-identity-token'), `${token}\n`);
    const p = provider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${podIdentity.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file });
    expect((await p()).accessKeyId).toBe(podIdentity.issued.at(-1)!.accessKeyId);
    token = 'pod-identity-token-2';
    writeFile(file, token);
    expect((await p()).accessKeyId).toBe(podIdentity.issued.at(-1)!.accessKeyId);
    expect(podIdentity.received.slice(-2).map((r) => r.headers.authorization)).toEqual(['pod-identity-token-1', 'pod-identity-token-2']);
  });

  it('the token from AWS_CONTAINER_AUTHORIZATION_TOKEN; a wrong one is a clear failure', async () => {
    const ok = provider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${podIdentity.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: token });
    await expect(ok()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIACONTAINER/) });
    const bad = provider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${podIdentity.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'stale' });
    expect(await failLine(bad())).toMatch(/answered HTTP 401: Authorization token is invalid or expired.*AWS_CONTAINER_AUTHORIZATION_TOKEN/);
  });

  it('refuses hosts other than loopback and the container agent addresses, before sending anything', async () => {
    for (const uri of ['http://10.0.0.5/creds', 'http://example.com/creds', 'http://169.254.169.254/latest']) {
      const p = provider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri });
      expect(await failLine(p())).toMatch(/is not allowed.*169\.254\.170\.23/);
    }
  });

  it('not configured without the variables; a missing token file fails', async () => {
    await expect(provider({})()).rejects.toMatchObject({ name: 'NotConfigured' });
    const p = provider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${podIdentity.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/nonexistent/token' });
    expect(await failLine(p())).toMatch(/cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \/nonexistent\/token/);
  });

  it('a server error is reported with its status', async () => {
    const broken = await startContainerFake({ failWith: 500 });
    const p = provider({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${broken.url}/v1/credentials` });
    expect(await failLine(p())).toMatch(/answered HTTP 500: fake failure/);
    await broken.close();
  });
});
