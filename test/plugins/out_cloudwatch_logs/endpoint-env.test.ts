import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCloudWatch } from '../../helpers/fake-cloudwatch-logs.js';
import { startWren, tempDir, writeConfig } from '../../helpers/cli.js';
import { startStsFake, type StsFake } from '../../helpers/sts-fake.js';
import { writeFile } from '../../aws/helpers.js';
import { closeAll, KEY, SECRET, startFake } from './harness.js';

// A stock configuration (no endpoint, no sts_endpoint: what a user ships to production) pointed
// at loopback fakes only by the endpoint settings every AWS SDK reads: the variables, or the
// shared config file's services section. The output assumes a role first, so both STS and
// CloudWatch Logs are redirected.

const STOCK = `service:
  flush: 100ms
pipeline:
  inputs:
    - name: stdin
      tag: app
  outputs:
    - name: cloudwatch_logs
      match: '*'
      region: us-east-1
      role_arn: arn:aws:iam::123456789012:role/logs-writer
      log_group_name: app
      log_stream_name: node-1
      auto_create_group: on
`;

let sts: StsFake;
beforeAll(async () => {
  sts = await startStsFake({ secrets: { [KEY]: SECRET } });
});
afterAll(async () => { await sts?.close(); });
afterEach(closeAll);

/** A CloudWatch fake that knows the credentials STS issued. */
function logsFake(): Promise<FakeCloudWatch> {
  return startFake({
    keys: (akid) => {
      const i = sts.issued.get(akid);
      return i ? { accessKeyId: akid, secretAccessKey: i.secretAccessKey, sessionToken: i.sessionToken } : undefined;
    },
  });
}

async function run(env: NodeJS.ProcessEnv, fake: FakeCloudWatch): Promise<void> {
  const before = sts.calls.length;
  const w = startWren(['run', '-c', writeConfig(STOCK)], {
    stdin: 'one\ntwo\nthree\n',
    env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, ...env },
  });
  expect(await w.exited, w.stderr()).toBe(0);
  expect(fake.events('app', 'node-1').map((e) => e.message)).toEqual(['{"log":"one"}', '{"log":"two"}', '{"log":"three"}']);
  expect(fake.signatureFailures).toEqual([]);
  expect(sts.calls.slice(before).map((c) => [c.action, c.params.RoleArn, c.signedBy])).toEqual([['AssumeRole', 'arn:aws:iam::123456789012:role/logs-writer', KEY]]);
}

describe('a stock cloudwatch_logs config pointed at loopback fakes by endpoint settings alone', () => {
  it('AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', async () => {
    const fake = await logsFake();
    await run({ AWS_ENDPOINT_URL_STS: sts.url, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.url }, fake);
  });

  it('the profile\'s services section in ~/.aws/config', async () => {
    const fake = await logsFake();
    const home = tempDir('wren-cw-home-');
    const cfg = writeFile(join(home, '.aws', 'config'),
      `[default]\nservices = loopback\n\n[services loopback]\nsts =\n  endpoint_url = ${sts.url}\ncloudwatch_logs =\n  endpoint_url = ${fake.url}\n`);
    await run({ HOME: home, AWS_CONFIG_FILE: cfg }, fake);
  });
});
