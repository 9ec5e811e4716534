import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsAuth, type AwsAuthDeps } from '../../src/aws/auth.js';
import { ChainError, CredentialChain } from '../../src/aws/chain.js';
import { NotConfigured, type AwsCredentials } from '../../src/aws/types.js';
import { startContainerFake, type ContainerFake } from '../helpers/container-fake.js';
import { startImdsFake, type ImdsFake } from '../helpers/imds-fake.js';
import { captureLogger, failLine, KEYS, opts, tempDir, writeFile } from './helpers.js';

const servers: Array<ImdsFake | ContainerFake> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function deps(env: NodeJS.ProcessEnv, extra: Partial<AwsAuthDeps> = {}): AwsAuthDeps {
  return { service: 'es', style: 'aws', env, log: captureLogger().log, ...extra };
}

describe('the credential chain', () => {
  it('is lazy: later providers are neither built nor contacted once one answers', async () => {
    const imds = await startImdsFake({ behaviour: 'v2' });
    servers.push(imds);
    const built: string[] = [];
    const link = (name: string, answer?: AwsCredentials) => ({
      name,
      build: () => { built.push(name); return async () => { if (!answer) throw new NotConfigured(`${name}: nothing`); return answer; }; },
    });
    const chain = new CredentialChain([link('a'), link('b', KEYS), link('c', KEYS)]);
    const r = await chain.walk();
    expect(r.provider).toBe('b');
    expect(built).toEqual(['a', 'b']);

    const env = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
    const auth = createAwsAuth(opts({ aws_region: 'us-east-1', aws_imds: 'on', aws_imds_endpoint: imds.url }), deps(env));
    await expect(auth.credentials()).resolves.toMatchObject(KEYS);
    expect(imds.received).toEqual([]);
    expect(imds.connections).toBe(0);
  });

  it("a provider's failure never stops the others; the answer comes from a later one", async () => {
    const ctr = await startContainerFake({ token: () => 'tok' });
    servers.push(ctr);
    const home = tempDir();
    writeFile(join(home, '.aws', 'config'), '[default]\naws_access_key_id = ONLY_HALF\n');
    const env = {
      HOME: home,
      AWS_ACCESS_KEY_ID: 'AKIA_NO_SECRET',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/nonexistent/token', AWS_ROLE_ARN: 'arn:aws:iam::1:role/x',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ctr.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok',
    };
    const auth = createAwsAuth(opts({ aws_region: 'us-east-1', aws_sts_endpoint: 'http://127.0.0.1:1' }), deps(env));
    const report = await auth.walk();
    expect(report.steps.map((s) => [s.provider, s.outcome])).toEqual([
      ['env', 'failed'], ['profile', 'failed'], ['web_identity', 'failed'], ['container', 'answered'],
    ]);
    expect(report.resolution?.credentials.accessKeyId).toBe(ctr.issued.at(-1)!.accessKeyId);
    expect(report.steps[3]!.message).toBe(`container credentials endpoint ${ctr.url}/v1/credentials`);
  });

  it('when nothing answers, the error lists every step and why', async () => {
    const auth = createAwsAuth(opts({ aws_region: 'us-east-1', aws_imds: 'off' }), deps({ HOME: tempDir(), AWS_ACCESS_KEY_ID: 'x' }));
    const line = await failLine(auth.credentials());
    expect(line).toMatch(/^no AWS credentials found: env: failed: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not.*; profile: profile "default" is not in .*; web_identity: .*; container: .*; imds: aws_imds is off \(run `wren credentials/);
    await expect(auth.credentials()).rejects.toBeInstanceOf(ChainError);
  });

  it('aws_credential_chain picks and orders providers; static keys in the config come first', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'envsecret' };
    const a = createAwsAuth(opts({ aws_region: 'us-east-1', aws_credential_chain: ['imds', 'env'], aws_imds: 'off' }), deps(env));
    expect((await a.walk()).steps.map((s) => s.provider)).toEqual(['imds', 'env']);
    const b = createAwsAuth(opts({ aws_region: 'us-east-1', aws_access_key_id: KEYS.accessKeyId, aws_secret_access_key: KEYS.secretAccessKey }), deps(env));
    const r = await b.walk();
    expect(r.resolution?.provider).toBe('static');
    expect(r.steps).toHaveLength(1);
    expect(() => createAwsAuth(opts({ aws_region: 'us-east-1', aws_credential_chain: ['env', 'instance'] }), deps(env)))
      .toThrow(/unknown provider 'instance'/);
  });

  it('the region: option, AWS_REGION, AWS_DEFAULT_REGION, the profile; else a config error', () => {
    const home = tempDir();
    writeFile(join(home, '.aws', 'config'), '[profile p]\nregion = ap-south-1\n');
    expect(createAwsAuth(opts({ aws_region: 'eu-west-3' }), deps({ AWS_REGION: 'us-west-2' })).region).toBe('eu-west-3');
    expect(createAwsAuth(opts({}), deps({ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'x' })).region).toBe('us-west-2');
    expect(createAwsAuth(opts({}), deps({ AWS_DEFAULT_REGION: 'ca-central-1' })).region).toBe('ca-central-1');
    expect(createAwsAuth(opts({ aws_profile: 'p' }), deps({ HOME: home })).region).toBe('ap-south-1');
    expect(() => createAwsAuth(opts({}), deps({ HOME: home }))).toThrow(/no AWS region: 'aws_region' is not set/);
    expect(() => createAwsAuth(opts({}), { ...deps({ HOME: home }), style: 'cloudwatch' })).toThrow(/'region' is not set/);
    expect(() => createAwsAuth(opts({ region: 'Frankfurt' }), { ...deps({}), style: 'cloudwatch' })).toThrow(/not an AWS region name/);
  });
});
