import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWren, tempDir, writeConfig } from '../../helpers/cli.js';
import { containerLogsTail, JSON_LINES_STDOUT } from '../../helpers/config-yaml.js';
import { podJson, startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { makeTestCerts, type TestCerts } from '../../helpers/tls-certs.js';

// End to end: the built CLI as a process, YAML with parsers: and both filters, exact records out.

const CRI_ID = '1'.repeat(64);
const DOCKER_ID = '2'.repeat(64);
const lines = (out: string) => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('wren run: tail → kubernetes → parser → stdout', () => {
  it('reads CRI and docker files (partial lines joined), adds file-name metadata, merges JSON logs, parses with a parsers: regex', async () => {
    const dir = tempDir('wren-k8s-e2e-');
    const logs = join(dir, 'containers');
    mkdirSync(logs);
    writeFileSync(join(logs, `checkout-1_shop_app-${CRI_ID}.log`), [
      '2025-03-14T09:26:53.100000000Z stdout F {"level":"info","msg":"started\\n","port":8080}',
      '2025-03-14T09:26:53.200000000Z stdout P {"level":"warn",',
      '2025-03-14T09:26:53.300000000Z stdout F "msg":"joined"}',
      '2025-03-14T09:26:53.400000000Z stderr F plain text, not JSON',
      '',
    ].join('\n'));
    writeFileSync(join(logs, `web-2_front_nginx-${DOCKER_ID}.log`), [
      JSON.stringify({ log: '10.0.0.1 GET /index.html 200 [14/Mar/2025:09:26:54 +0000]\n', stream: 'stdout', time: '2025-03-14T09:26:54.500Z' }),
      JSON.stringify({ log: '10.0.0.2 GET /a-very', stream: 'stdout', time: '2025-03-14T09:26:55.000Z' }),
      JSON.stringify({ log: '-long-path 404 [14/Mar/2025:09:26:56 +0000]\n', stream: 'stdout', time: '2025-03-14T09:26:55.001Z' }),
      JSON.stringify({ log: 'no match here\n', stream: 'stderr', time: '2025-03-14T09:26:57.000Z' }),
      '',
    ].join('\n'));
    const config = writeConfig(`
parsers:
  - name: access
    format: regex
    regex: '^(?<client>[^ ]+) (?<method>[A-Z]+) (?<path>[^ ]+) (?<code>\\d+) \\[(?<when>[^\\]]+)\\]$'
    time_key: when
    time_format: '%d/%b/%Y:%H:%M:%S %z'
    types: code:integer
pipeline:
  inputs:
${containerLogsTail(`${logs}/*.log`)}
  filters:
    - name: kubernetes
      match: 'kube.*'
      use_tag_for_meta: on
      merge_log: on
      keep_log: off
    - name: parser
      match: 'kube.*web-2*'
      key_name: log
      parser: access
      reserve_data: on
  outputs:
${JSON_LINES_STDOUT}
`, dir);
    const r = await runWren(['run', '-c', config]);
    expect(r.stderr).not.toMatch(/"level":"(warn|error)"/);
    expect(r.code).toBe(0);
    const checkout = { pod_name: 'checkout-1', namespace_name: 'shop', container_name: 'app', docker_id: CRI_ID };
    const web = { pod_name: 'web-2', namespace_name: 'front', container_name: 'nginx', docker_id: DOCKER_ID };
    const out = lines(r.stdout);
    expect(out.filter((l) => (l.kubernetes as { pod_name: string }).pod_name === 'checkout-1')).toEqual([
      { date: 1741944413.1, time: '2025-03-14T09:26:53.100000000Z', stream: 'stdout', level: 'info', msg: 'started', port: 8080, kubernetes: checkout },
      { date: 1741944413.2, time: '2025-03-14T09:26:53.200000000Z', stream: 'stdout', level: 'warn', msg: 'joined', kubernetes: checkout },
      { date: 1741944413.4, time: '2025-03-14T09:26:53.400000000Z', stream: 'stderr', log: 'plain text, not JSON', kubernetes: checkout },
    ]);
    expect(out.filter((l) => (l.kubernetes as { pod_name: string }).pod_name === 'web-2')).toEqual([
      { date: 1741944414, client: '10.0.0.1', method: 'GET', path: '/index.html', code: 200, stream: 'stdout', time: '2025-03-14T09:26:54.500Z', kubernetes: web },
      { date: 1741944416, client: '10.0.0.2', method: 'GET', path: '/a-very-long-path', code: 404, stream: 'stdout', time: '2025-03-14T09:26:55.000Z', kubernetes: web },
      { date: 1741944417, log: 'no match here', stream: 'stderr', time: '2025-03-14T09:26:57.000Z', kubernetes: web },
    ]);
  });

  it('`wren check` reports a bad parsers: regex with its line', async () => {
    const config = writeConfig(`parsers:
  - name: broken
    format: regex
    regex: '^(?<a>[a-'
pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: stdout
      match: '*'
`);
    const r = await runWren(['check', '-c', config]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/wren\.yaml:4:\d+: parser 'broken': regex does not compile/);
  });
});

describe('wren run: kubernetes filter against a loopback API server', () => {
  let certs: TestCerts;
  let api: FakeKubeApi;
  beforeAll(async () => {
    certs = makeTestCerts();
    api = await startFakeKubeApi(certs, 'e2e-token');
  });
  afterAll(async () => api.close());

  it('enriches records with the pod from the API (TLS with the cluster CA, bearer token)', async () => {
    api.pods.set('pay/pay-0', podJson('pay', 'pay-0', {
      uid: 'u-1', node: 'node-a', ip: '10.1.2.3', labels: { app: 'pay' }, annotations: { team: 'core' },
      containers: [{ name: 'srv', id: CRI_ID, image: 'pay:2', imageID: 'sha256:' + 'e'.repeat(64) }],
    }));
    const dir = tempDir('wren-k8s-api-');
    writeFileSync(join(dir, 'token'), 'e2e-token\n');
    const config = writeConfig(`
pipeline:
  inputs:
    - name: dummy
      tag: kube.var.log.containers.pay-0_pay_srv-${CRI_ID}.log
      dummy: '{"log":"{\\"event\\":\\"paid\\"}","stream":"stdout"}'
      samples: 2
      start_time_sec: 1700000000
      fixed_timestamp: on
  filters:
    - name: kubernetes
      match: 'kube.*'
      kube_url: ${api.url}
      kube_ca_file: ${certs.caFile}
      kube_token_file: ${join(dir, 'token')}
      merge_log: on
      merge_log_key: app
  outputs:
${JSON_LINES_STDOUT}
`, dir);
    const r = await runWren(['run', '-c', config]);
    expect(r.stderr).not.toMatch(/"level":"(warn|error)"/);
    expect(r.code, r.stderr).toBe(0);
    const k8s = {
      pod_name: 'pay-0', namespace_name: 'pay', pod_id: 'u-1', labels: { app: 'pay' }, annotations: { team: 'core' },
      host: 'node-a', pod_ip: '10.1.2.3', container_name: 'srv', docker_id: CRI_ID, container_hash: 'sha256:' + 'e'.repeat(64), container_image: 'pay:2',
    };
    const rec = { date: 1700000000, log: '{"event":"paid"}', stream: 'stdout', app: { event: 'paid' }, kubernetes: k8s };
    expect(lines(r.stdout)).toEqual([rec, rec]);
    expect(api.requests).toEqual([{ path: '/api/v1/namespaces/pay/pods/pay-0', authorized: true }]);
  });
});
