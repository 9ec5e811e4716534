import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromContainer, relativeEndpoint } from '../../src/aws/credentials/container.js';
import { fromProcess } from '../../src/aws/credentials/process.js';
import { createMetadataDispatcher } from '../../src/net/dispatchers.js';
import { startContainerFake, type ContainerFake } from '../helpers/container-fake.js';
import { failLine, tempDir, writeFile } from './helpers.js';

let ecs: ContainerFake;
let other: ContainerFake;
const dispatcher = createMetadataDispatcher({});

beforeAll(async () => {
  [ecs, other] = await Promise.all([startContainerFake({ flavour: 'ecs' }), startContainerFake({ flavour: 'ecs' })]);
});
afterAll(async () => {
  await Promise.all([ecs.close(), other.close(), dispatcher.close()]);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('container credentials: where the token may go', () => {
  it('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is a path on 169.254.170.2, never another host', () => {
    // only URLs are built here, nothing is dialled (the next test sends through loopback fakes)
    expect(relativeEndpoint('//attacker.example/creds').host).toBe('169.254.170.2');
    expect(relativeEndpoint('//attacker.example/creds').pathname).toBe('//attacker.example/creds');
    expect(relativeEndpoint('@attacker.example/x').host).toBe('169.254.170.2');
    expect(relativeEndpoint('\\\\attacker.example/x').host).toBe('169.254.170.2');
    expect(relativeEndpoint('v2/credentials/abc?x=1').href).toBe('http://169.254.170.2/v2/credentials/abc?x=1');
  });

  it('a //host relative URI does not reach that host (loopback fakes stand in for both)', async () => {
    const otherHost = new URL(other.url).host;
    const p = fromContainer({ env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `//${otherHost}/v2/credentials/x`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok-123456' }, dispatcher, timeoutMs: 1000, ecsHost: ecs.url });
    await p().catch(() => undefined);
    expect(other.received).toHaveLength(0);
    expect(ecs.received.at(-1)!.path).toBe(`//${otherHost}/v2/credentials/x`);
  });

  it('the user, password and query of AWS_CONTAINER_CREDENTIALS_FULL_URI are never printed', async () => {
    const u = new URL(ecs.url);
    const ok = fromContainer({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://admin:hunter2secret@${u.host}/v1?token=query-secret-1` }, dispatcher, timeoutMs: 1000 });
    await ok();
    expect(ok.describe?.()).not.toMatch(/hunter2secret|query-secret-1/);
    const p = fromContainer({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://admin:hunter2secret@127.0.0.1:1/nope?token=query-secret-1' }, dispatcher, timeoutMs: 1000 });
    const line = await failLine(p());
    expect(line).not.toMatch(/hunter2secret|query-secret-1/);
    expect(p.describe?.()).not.toMatch(/hunter2secret|query-secret-1/);
    const bad = fromContainer({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://admin:pa/ss@[bad' }, dispatcher, timeoutMs: 1000 });
    expect(await failLine(bad())).not.toMatch(/pa\/ss/);
  });
});

describe('credential_process', () => {
  it('a timeout kills its whole process group', async () => {
    const dir = tempDir();
    const pids = join(dir, 'pids');
    const script = writeFile(join(dir, 'slow.sh'), `#!/bin/sh\nsleep 30 &\necho $$ $! > ${pids}\nsleep 30\n`, 0o755);
    const p = fromProcess(script, { PATH: process.env.PATH }, 'slow', 500);
    expect(await failLine(p())).toMatch(/did not finish within 500 ms \(its process group was killed\)/);
    const [shell, child] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    const t0 = Date.now();
    while ((alive(shell!) || alive(child!)) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(alive(shell!)).toBe(false);
    expect(alive(child!)).toBe(false);
  });

  it('what it printed on stderr is shown redacted', async () => {
    const dir = tempDir();
    const script = writeFile(join(dir, 'leak.sh'), '#!/bin/sh\necho "login failed: Authorization: Bearer sk-live-abcdef123456 secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" >&2\nexit 2\n', 0o755);
    const line = await failLine(fromProcess(script, { PATH: process.env.PATH }, 'leak')());
    expect(line).toMatch(/exited with 2: login failed/);
    expect(line).not.toMatch(/sk-live-abcdef123456|EXAMPLEKEY/);
  });
});
