import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCredentials } from '../../src/commands/credentials.js';
import type { PluginOptions } from '../../src/config/types.js';
import { startImdsFake } from '../helpers/imds-fake.js';
import { EC2_SYSFS, fakeSysfs, KEYS, opts, tempDir, writeFile } from './helpers.js';

async function run(options: PluginOptions, env: NodeJS.ProcessEnv, json = false, pluginName = 'opensearch') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => { out += d.toString(); });
  stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await runCredentials({ options, pluginName, outputId: `${pluginName}.0`, json, env, stdout, stderr });
  return { code, out, err };
}

function profileEnv(): NodeJS.ProcessEnv {
  const home = tempDir();
  writeFile(join(home, '.aws', 'credentials'), `[default]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
  return { HOME: home };
}

describe('wren credentials (runCredentials)', () => {
  it('prints each step and the winner with a masked key, never the secret; exit 0', async () => {
    const env = profileEnv();
    const r = await run(opts({ aws_region: 'us-east-1', aws_imds: 'off' }), env);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('Credential chain of output opensearch.0 (region us-east-1 from aws_region, service es):');
    expect(lines[1]).toMatch(/^ {2}env\s+not configured\s+\d+\.\d ms {2}AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set$/);
    expect(lines[2]).toMatch(new RegExp(`^ {2}profile\\s+answered\\s+\\d+\\.\\d ms {2}profile "default" in ${env.HOME}/.aws/credentials \\(static keys\\)$`));
    expect(lines[3]).toBe('Credentials from profile: access key AKIA************MPLE, expires never (long-term keys)');
    expect(r.out + r.err).not.toContain(KEYS.secretAccessKey);
    expect(r.out + r.err).not.toContain(KEYS.accessKeyId);
  });

  it('--json prints one object with provider, masked key, expiration and steps', async () => {
    const r = await run(opts({ aws_region: 'us-east-1', aws_imds: 'off' }), profileEnv(), true);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(j).toMatchObject({ provider: 'profile', accessKeyId: 'AKIA************MPLE', expiration: null, region: 'us-east-1', service: 'es' });
    expect(j.steps).toEqual([
      { provider: 'env', outcome: 'not configured', ms: expect.any(Number), message: expect.any(String) },
      { provider: 'profile', outcome: 'answered', ms: expect.any(Number), message: expect.stringContaining('static keys') },
    ]);
  });

  it('exit 1 when nothing answers, with every step shown', async () => {
    const r = await run(opts({ aws_region: 'us-east-1', aws_imds: 'off' }), { HOME: tempDir() });
    expect(r.code).toBe(1);
    expect(r.out.split('\n').filter((l) => /not configured/.test(l))).toHaveLength(5);
    expect(r.err).toMatch(/^wren: no AWS credentials for output opensearch.0: no AWS credentials found: env: .*imds: aws_imds is off/);
    const j = await run(opts({ aws_region: 'us-east-1', aws_imds: 'off' }), { HOME: tempDir() }, true);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ provider: null, accessKeyId: null, error: expect.stringContaining('no AWS credentials found') });
  });

  it('a configuration problem is one line and exit 1', async () => {
    const r = await run(opts({}), { HOME: tempDir() }, false, 'cloudwatch_logs');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no AWS region: 'region' is not set \(set region/);
  });

  it('the hop-limit case: imds answers, the step names the fix, the expiration is shown', async () => {
    const imds = await startImdsFake({ behaviour: 'hop-limit' });
    const r = await run(opts({ aws_region: 'eu-west-1', aws_imds_endpoint: imds.url, aws_sysfs_root: fakeSysfs(EC2_SYSFS) }), { HOME: tempDir() });
    await imds.close();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/imds\s+answered\s+\d+\.\d ms {2}EC2 instance profile wren-node-role from http:\/\/127\.0\.0\.1:\d+ \(IMDSv1: the IMDSv2 token PUT was dropped \(hop limit\); fix: raise the instance's HttpPutResponseHopLimit to 2/);
    expect(r.out).toMatch(/Credentials from imds: access key ASIA\*+\d{4} \(with session token\), expires \d{4}-\d\d-\d\dT/);
    expect(r.err).toMatch(/HttpPutResponseHopLimit/); // the once-only warning, on stderr
  });
});
