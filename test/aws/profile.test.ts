import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromIni, type ProfileKit } from '../../src/aws/credentials/ini.js';
import { fromEnv } from '../../src/aws/credentials/env.js';
import { parseIni } from '../../src/aws/credentials/ini-parse.js';
import { StsClient } from '../../src/aws/sts.js';
import { NotConfigured } from '../../src/aws/types.js';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { startStsFake, type StsFake } from '../helpers/sts-fake.js';
import { failLine, KEYS, tempDir, writeFile } from './helpers.js';

let sts: StsFake;
const dispatcher = createDestinationDispatcher({ env: {} });
const ENV_KEYS = { accessKeyId: 'AKIAENVEXAMPLE000001', secretAccessKey: 'envSecret/EXAMPLEKEY' };

beforeAll(async () => {
  sts = await startStsFake({ secrets: { [KEYS.accessKeyId]: KEYS.secretAccessKey, [ENV_KEYS.accessKeyId]: ENV_KEYS.secretAccessKey } });
});
afterAll(async () => {
  await Promise.all([sts.close(), dispatcher.close()]);
});

/** Shared files in a fresh HOME; returns the env that points at them. */
function files(config?: string, credentials?: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = tempDir('wren-home-');
  if (config !== undefined) writeFile(join(home, '.aws', 'config'), config);
  if (credentials !== undefined) writeFile(join(home, '.aws', 'credentials'), credentials);
  return { HOME: home, ...extra };
}

function kit(env: NodeJS.ProcessEnv): ProfileKit {
  return {
    env,
    sts: (region) => new StsClient({ endpoint: sts.url, region: region ?? 'us-east-1', dispatcher }),
    imds: () => async () => { throw new NotConfigured('no IMDS in this test'); },
    container: () => async () => { throw new NotConfigured('no container in this test'); },
  };
}

const keysIni = (k = KEYS) => `aws_access_key_id = ${k.accessKeyId}\naws_secret_access_key = ${k.secretAccessKey}\n`;

describe('shared config and credentials files', () => {
  it('static keys from ~/.aws/config alone (the file Fluent Bit ignored)', async () => {
    const env = files(`[default]\nregion = eu-west-1\n${keysIni()}`);
    const p = fromIni(undefined, kit(env));
    await expect(p()).resolves.toEqual({ ...KEYS, sessionToken: undefined });
    expect(p.describe?.()).toBe(`profile "default" in ${env.HOME}/.aws/config (static keys)`);
  });

  it('static keys from ~/.aws/credentials alone, and the credentials file wins over config', async () => {
    await expect(fromIni(undefined, kit(files(undefined, `[default]\n${keysIni()}`)))()).resolves.toMatchObject(KEYS);
    const both = files(`[default]\n${keysIni(ENV_KEYS)}`, `[default]\n${keysIni()}aws_session_token = tok\n`);
    await expect(fromIni(undefined, kit(both))()).resolves.toEqual({ ...KEYS, sessionToken: 'tok' });
  });

  it('profile from the option, then AWS_PROFILE, then AWS_DEFAULT_PROFILE; [profile x] in config, [x] in credentials', async () => {
    const env = files(`[profile dev]\n${keysIni(ENV_KEYS)}`, `[ops]\n${keysIni()}`);
    await expect(fromIni('ops', kit({ ...env, AWS_PROFILE: 'dev' }))()).resolves.toMatchObject(KEYS);
    await expect(fromIni(undefined, kit({ ...env, AWS_PROFILE: 'dev', AWS_DEFAULT_PROFILE: 'ops' }))()).resolves.toMatchObject(ENV_KEYS);
    await expect(fromIni(undefined, kit({ ...env, AWS_DEFAULT_PROFILE: 'ops' }))()).resolves.toMatchObject(KEYS);
  });

  it('no files: not configured; a named profile that is missing: failed', async () => {
    await expect(fromIni(undefined, kit(files()))()).rejects.toBeInstanceOf(NotConfigured);
    const env = files(`[default]\n${keysIni()}`);
    expect(await failLine(fromIni('prod', kit(env))())).toMatch(/profile "prod" is not in .*config.*aws_profile \/ AWS_PROFILE/);
  });

  it('AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, ~ expanded', async () => {
    const home = tempDir();
    writeFile(join(home, 'cfg', 'c'), `[profile x]\n${keysIni()}`);
    await expect(fromIni('x', kit({ HOME: home, AWS_CONFIG_FILE: '~/cfg/c', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/creds' }))()).resolves.toMatchObject(KEYS);
  });

  it('half a key pair is a clear failure', async () => {
    expect(await failLine(fromIni(undefined, kit(files(`[default]\naws_access_key_id = ${KEYS.accessKeyId}\n`)))()))
      .toMatch(/has aws_access_key_id without aws_secret_access_key/);
  });

  it('credential_process: runs the command and reads its JSON', async () => {
    const dir = tempDir();
    const script = writeFile(join(dir, 'creds.sh'), `#!/bin/sh\necho "{\\"Version\\": 1, \\"AccessKeyId\\": \\"$WREN_TEST_AKID\\", \\"SecretAccessKey\\": \\"procSecret\\", \\"SessionToken\\": \\"procToken\\", \\"Expiration\\": \\"2999-01-01T00:00:00Z\\"}"\n`, 0o755);
    const env = files(`[profile proc]\ncredential_process = ${script} --flag\n`, undefined, { WREN_TEST_AKID: 'ASIAPROCESSEXAMPLE01', PATH: process.env.PATH });
    const c = await fromIni('proc', kit(env))();
    expect(c).toEqual({ accessKeyId: 'ASIAPROCESSEXAMPLE01', secretAccessKey: 'procSecret', sessionToken: 'procToken', expiration: new Date('2999-01-01T00:00:00Z') });
    const failing = writeFile(join(dir, 'fail.sh'), '#!/bin/sh\necho "sso session expired" >&2\nexit 3\n', 0o755);
    expect(await failLine(fromIni('p', kit(files(`[profile p]\ncredential_process = ${failing}\n`)))()))
      .toMatch(/credential_process exited with 3: sso session expired/);
    const garbage = writeFile(join(dir, 'bad.sh'), '#!/bin/sh\necho not json\n', 0o755);
    expect(await failLine(fromIni('p', kit(files(`[profile p]\ncredential_process = ${garbage}\n`)))())).toMatch(/not JSON/);
  });

  it('role_arn with source_profile: AssumeRole signed by the source keys, with external id, session name and duration', async () => {
    const env = files(`[profile base]\n${keysIni()}\n[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\nexternal_id = xyz\nrole_session_name = wren-app\nduration_seconds = 900\nregion = eu-central-1\n`);
    const p = fromIni('app', kit(env));
    const c = await p();
    expect(sts.issued.get(c.accessKeyId)?.roleArn).toBe('arn:aws:iam::123456789012:role/app');
    expect(sts.calls.at(-1)).toMatchObject({
      action: 'AssumeRole', signedBy: KEYS.accessKeyId,
      params: { ExternalId: 'xyz', RoleSessionName: 'wren-app', DurationSeconds: '900' },
    });
    expect(sts.calls.at(-1)!.headers.authorization).toContain('/eu-central-1/sts/aws4_request');
    expect(p.describe?.()).toMatch(/profile "base".*→ role arn:aws:iam::123456789012:role\/app/);
  });

  it('role chains, and a source_profile loop is an error', async () => {
    const env = files(`[profile a]\n${keysIni()}\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = b\n` +
      '[profile x]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = y\n[profile y]\nrole_arn = arn:aws:iam::1:role/y\nsource_profile = x\n');
    const c = await fromIni('c', kit(env))();
    expect(sts.issued.get(c.accessKeyId)?.roleArn).toBe('arn:aws:iam::1:role/c');
    expect(await failLine(fromIni('x', kit(env))())).toMatch(/source_profile loop: x → y → x/);
  });

  it('credential_source = Environment', async () => {
    const env = files('[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\ncredential_source = Environment\n', undefined,
      { AWS_ACCESS_KEY_ID: ENV_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_KEYS.secretAccessKey });
    await fromIni('ci', kit(env))();
    expect(sts.calls.at(-1)).toMatchObject({ signedBy: ENV_KEYS.accessKeyId, params: { RoleArn: 'arn:aws:iam::1:role/ci' } });
    expect(await failLine(fromIni('z', kit(files('[profile z]\nrole_arn = arn:aws:iam::1:role/z\ncredential_source = Moon\n')))()))
      .toMatch(/credential_source = Moon.*Environment, Ec2InstanceMetadata or EcsContainer/);
  });

  it('web_identity_token_file in a profile', async () => {
    const token = writeFile(join(tempDir(), 't'), 'eyJ.token');
    const env = files(`[profile w]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = ${token}\n`);
    const c = await fromIni('w', kit(env))();
    expect(sts.issued.get(c.accessKeyId)?.roleArn).toBe('arn:aws:iam::1:role/w');
    expect(sts.calls.at(-1)).toMatchObject({ action: 'AssumeRoleWithWebIdentity', params: { WebIdentityToken: 'eyJ.token' } });
  });

  it('a source profile with static keys ends the chain there, even with a role_arn of its own: one AssumeRole', async () => {
    const env = files(`[profile base]\n${keysIni()}role_arn = arn:aws:iam::1:role/base-should-not-be-assumed\nsource_profile = other\n` +
      '[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\n');
    const before = sts.calls.length;
    const p = fromIni('app', kit(env));
    const c = await p();
    expect(sts.calls.slice(before).map((call) => [call.params.RoleArn, call.signedBy])).toEqual([['arn:aws:iam::1:role/app', KEYS.accessKeyId]]);
    expect(sts.issued.get(c.accessKeyId)?.roleArn).toBe('arn:aws:iam::1:role/app');
    expect(p.describe?.()).toMatch(/^profile "base" in .* \(static keys\) → role arn:aws:iam::1:role\/app$/);
  });

  it('the profile asked for assumes its role_arn even when it has static keys too', async () => {
    const env = files(`[profile self]\n${keysIni()}role_arn = arn:aws:iam::1:role/self\nsource_profile = self\n`);
    const c = await fromIni('self', kit(env))();
    expect(sts.issued.get(c.accessKeyId)?.roleArn).toBe('arn:aws:iam::1:role/self');
  });

  it('source_profile and credential_source together are an error naming the profile', async () => {
    const env = files(`[profile base]\n${keysIni()}[profile both]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = base\ncredential_source = Environment\n`);
    const before = sts.calls.length;
    expect(await failLine(fromIni('both', kit(env))())).toMatch(/profile "both" in .*config has both source_profile and credential_source.*keep one/);
    expect(sts.calls.length).toBe(before);
  });

  it('the files\' warnings come with the answer, FILE:LINE each, and the rest of the file is used', async () => {
    const env = files(`region = nowhere\n[default]\n${keysIni()}oops\n`);
    const p = fromIni(undefined, kit(env));
    await expect(p()).resolves.toMatchObject(KEYS);
    expect(p.warnings?.()).toEqual([
      `${env.HOME}/.aws/config:1: a property before any section header: skipped`,
      `${env.HOME}/.aws/config:5: a line without '=' in [default]: skipped`,
    ]);
  });

  it('SSO and MFA profiles fail with what to do', async () => {
    expect(await failLine(fromIni('s', kit(files('[profile s]\nsso_session = corp\nsso_account_id = 1\n')))())).toMatch(/AWS SSO.*credential_process/);
    expect(await failLine(fromIni('m', kit(files(`[profile m]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = m\nmfa_serial = arn:aws:iam::1:mfa/u\n${keysIni()}`)))()))
      .toMatch(/MFA/);
  });
});

describe('env provider', () => {
  it('reads the three variables, and says which half is missing', async () => {
    await expect(fromEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_SESSION_TOKEN: 'c' })()).resolves.toEqual({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c', expiration: undefined });
    expect(await failLine(fromEnv({ AWS_ACCESS_KEY_ID: 'a' })())).toMatch(/AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not/);
    await expect(fromEnv({})()).rejects.toBeInstanceOf(NotConfigured);
  });
});

describe('INI parsing', () => {
  it('comments, spacing, sub-properties (kept as the SDKs keep them, and parsed)', () => {
    const { sections, warnings } = parseIni('# top\n[default]\nregion=us-east-1 # trailing\n; other\ns3 =\n  max_concurrent_requests = 20\nOutput = json\n[profile  x ]\nk = v=w\n', 'f');
    expect(warnings).toEqual([]);
    expect(sections[0]).toMatchObject({ header: 'default', values: { region: 'us-east-1', s3: '\nmax_concurrent_requests = 20', output: 'json' }, subs: { s3: { max_concurrent_requests: '20' } } });
    expect(sections[1]).toMatchObject({ header: 'profile  x', values: { k: 'v=w' } });
  });
});
