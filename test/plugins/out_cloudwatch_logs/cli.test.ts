import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, startWren, tempDir, writeConfig } from '../../helpers/cli.js';
import { containerLogsTail, QUICK_RETRY_SERVICE } from '../../helpers/config-yaml.js';
import { closeAll, KEY, SECRET, startFake } from './harness.js';

afterEach(closeAll);

const lines = (n: number) => Array.from({ length: n }, (_, i) =>
  JSON.stringify({ n: i, log: `line ${i}`, kubernetes: i % 10 === 9 ? {} : { namespace_name: i % 2 ? 'shop' : 'billing' } })).join('\n') + '\n';

describe('cloudwatch_logs end to end (the real CLI, stdin → loopback CloudWatch Logs)', () => {
  it('delivers every record exactly once to its namespace group across throttling and a 503', async () => {
    const fake = await startFake();
    fake.inject({ kind: 'throttle', times: 2 });
    fake.inject({ kind: 'unavailable', times: 1 });
    const file = writeConfig(`${QUICK_RETRY_SERVICE}
pipeline:
  inputs:
    - name: stdin
      tag: app
  outputs:
    - name: cloudwatch_logs
      match: '*'
      endpoint: ${fake.url}
      log_group_name: \${CLOUDWATCH_LOG_GROUP}
      log_group_template: "/eks/test/$kubernetes['namespace_name']"
      log_stream_prefix: \${NODE_NAME}.
      log_key: log
      auto_create_group: on
      log_retention_days: 14
`);
    const w = startWren(['run', '-c', file], {
      stdin: lines(3000),
      env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1', CLOUDWATCH_LOG_GROUP: 'fallback', NODE_NAME: 'node-1' },
    });
    const code = await w.exited;
    expect(code, w.stderr()).toBe(0);
    const msgs = (g: string) => fake.events(g, 'node-1.app').map((e) => Number(e.message.slice(5)));
    const all = Array.from({ length: 3000 }, (_, i) => i);
    expect(msgs('/eks/test/billing')).toEqual(all.filter((i) => i % 10 !== 9 && i % 2 === 0));
    expect(msgs('/eks/test/shop')).toEqual(all.filter((i) => i % 10 !== 9 && i % 2 === 1));
    expect(msgs('fallback')).toEqual(all.filter((i) => i % 10 === 9));
    expect(fake.groups.get('/eks/test/shop')!.retentionInDays).toBe(14);
    expect(fake.callsOf('PutRetentionPolicy')).toHaveLength(3);
    expect(fake.signatureFailures).toEqual([]);
    expect(w.logs().filter((l) => /will retry: .*(ThrottlingException|ServiceUnavailableException)/.test(String(l.msg))).length).toBeGreaterThanOrEqual(2);
  });
});

describe('cloudwatch_logs end to end: container logs per namespace (tail → kubernetes → cloudwatch_logs)', () => {
  const ID = 'c'.repeat(64);
  const cri = (t: Date, text: string, flag = 'F') => `${t.toISOString().replace('Z', '123456Z')} stdout ${flag} ${text}\n`;

  it('one group per namespace, one stream per pod and container; partial CRI lines joined', async () => {
    const fake = await startFake({ region: 'eu-west-1' });
    const dir = tempDir('wren-cw-');
    const now = new Date(Date.now() - 60_000);
    writeFileSync(join(dir, `web-1_shop_nginx-${ID}.log`), cri(now, 'GET / 200') + cri(now, 'GET /cart ', 'P') + cri(now, '200') + cri(now, 'GET /pay 500'));
    writeFileSync(join(dir, `api-7_billing_api-${ID}.log`), cri(now, '{"level":"info","msg":"invoice sent"}'));
    const file = writeConfig(`service:
  flush: 100ms
pipeline:
  inputs:
${containerLogsTail(`${dir}/*.log`)}
  filters:
    - name: kubernetes
      match: 'kube.*'
      use_tag_for_meta: on
      merge_log: on
  outputs:
    - name: cloudwatch_logs
      match: 'kube.*'
      endpoint: ${fake.url}
      log_group_name: fallback
      log_group_template: "/eks/test/$kubernetes['namespace_name']"
      log_stream_prefix: node-1.
      log_stream_template: "$kubernetes['pod_name'].$kubernetes['container_name']"
      auto_create_group: on
`, dir);
    const w = startWren(['run', '-c', file], { env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'eu-west-1' } });
    const code = await w.exited;
    expect(code, w.stderr()).toBe(0);
    const logs = (g: string, s: string) => fake.events(g, s).map((e) => (JSON.parse(e.message) as { log: string }).log);
    expect(logs('/eks/test/shop', 'web-1.nginx')).toEqual(['GET / 200', 'GET /cart 200', 'GET /pay 500']);
    expect(fake.events('/eks/test/billing', 'api-7.api').map((e) => JSON.parse(e.message) as Record<string, unknown>))
      .toEqual([expect.objectContaining({ msg: 'invoice sent', kubernetes: expect.objectContaining({ namespace_name: 'billing', pod_name: 'api-7' }) })]);
    expect(fake.groups.has('fallback')).toBe(false);
    expect(fake.signatureFailures).toEqual([]);
  });

  it('events older than 14 days (the March 2025 sample logs) are counted and logged, never sent', async () => {
    const fake = await startFake();
    const file = writeConfig(`service:
  flush: 100ms
pipeline:
  inputs:
${containerLogsTail(`${join(ROOT, 'examples/logs')}/*.log`)}
  outputs:
    - name: cloudwatch_logs
      match: 'kube.*'
      endpoint: ${fake.url}
      log_group_name: app
      log_stream_prefix: n.
      auto_create_group: on
`);
    const w = startWren(['run', '-c', file], { env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1' } });
    expect(await w.exited).toBe(2); // records were dropped
    const drops = w.logs().filter((l) => /dropped \d+ record\(s\): CloudWatch Logs will not take them: \d+ older than 14 days/.test(String(l.msg)));
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.reduce((s, l) => s + Number(l.records), 0)).toBe(31);
    expect(fake.callsOf('PutLogEvents')).toHaveLength(0);
  });
});
