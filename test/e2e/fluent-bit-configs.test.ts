import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { editClassicFile, stripPending, type Pending } from '../helpers/classic-edit.js';
import { freePort, ROOT, startWren, tempDir, type WrenProcess } from '../helpers/cli.js';
import { startFakeCloudWatchLogs, type FakeCloudWatch } from '../helpers/fake-cloudwatch-logs.js';
import { podJson, startFakeKubeApi, type FakeKubeApi } from '../helpers/fake-kube-api.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';

// Fluent Bit classic configs in the shapes public deployments use (test/fixtures/fluent-bit):
// `wren check` passes on each as written, and each runs against loopback fakes with only its
// paths, endpoints and Kubernetes API pointed at the test machine.

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const FIXTURES = join(ROOT, 'test', 'fixtures', 'fluent-bit');

/**
 * What the configs set that Wren does not take yet, and the work that adds it. `wren check` may
 * report these and nothing else; a run leaves them out (stripPending) until they land.
 */
const PENDING: Pending[] = [
  { re: /^unknown key 'daemon' for 'service'/, why: "[SERVICE] keys of Fluent Bit's command line and service (issue 9)" },
  { re: /^unknown key 'storage\.[\w.]+' for 'service'|'storage\.type' expects one of memory/, why: 'filesystem buffering (storage.*)' },
  { re: /^unknown key 'extra_user_agent' for output 'cloudwatch_logs'/, why: "cloudwatch_logs' extra_user_agent" },
  { re: /^input plugin 'systemd' is a Fluent Bit plugin that Wren does not have/, why: 'the systemd input' },
  { re: /^filter plugin 'aws' is a Fluent Bit plugin that Wren does not have/, why: 'the aws filter' },
];

const BASE_ENV: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1',
  HTTP_SERVER: 'On', HTTP_PORT: '2020', READ_FROM_HEAD: 'On', READ_FROM_TAIL: 'On', CLUSTER_NAME: 'shop-prod', HOST_NAME: 'ip-10-0-1-5',
};

/** A copy of a fixture directory to edit. */
function copyFixture(name: string): string {
  const dir = tempDir(`wren-fb-${name}-`);
  cpSync(join(FIXTURES, name), join(dir, 'etc'), { recursive: true });
  return dir;
}

function checkAsWritten(file: string, env: NodeJS.ProcessEnv): void {
  const { errors, warnings } = loadConfig(file, { env });
  const unexpected = errors.filter((e) => !PENDING.some((p) => p.re.test(e.message)));
  expect(unexpected.map((e) => e.toLine())).toEqual([]);
  for (const w of warnings) expect(w.message).toMatch(/parsers file '.*parsers\.conf' does not exist; using the Fluent Bit stock parsers/);
}

const ID = (c: string) => c.repeat(64);
const criLine = (text: string, t = new Date()) => `${t.toISOString().replace('Z', '123456Z')} stdout F ${text}\n`;

async function waitFor(what: string, ok: () => boolean, w: WrenProcess, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; wren stderr:\n${w.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(w: WrenProcess): Promise<number> {
  w.kill('SIGTERM');
  return w.exited;
}

let certs: TestCerts;
let kube: FakeKubeApi;
let tokenFile: string;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  certs = makeTestCerts();
  tokenFile = join(certs.dir, 'token');
  writeFileSync(tokenFile, 'sa-token\n');
  kube = await startFakeKubeApi(certs, 'sa-token');
  kube.pods.set('shop/web-1', podJson('shop', 'web-1', { labels: { app: 'web' }, annotations: {} , containers: [{ name: 'nginx', id: ID('a'), image: 'nginx:1.27', imageID: 'sha256:1' }] }));
  kube.pods.set('shop/noisy-1', podJson('shop', 'noisy-1', { annotations: { 'fluentbit.io/exclude': 'true' }, containers: [{ name: 'app', id: ID('b'), image: 'noisy:1', imageID: 'sha256:2' }] }));
});
afterAll(async () => {
  await kube.close();
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function cloudWatch(region: string): Promise<FakeCloudWatch> {
  const f = await startFakeCloudWatchLogs({ keys: [{ accessKeyId: KEY, secretAccessKey: SECRET }], region });
  closers.push(() => f.close());
  return f;
}

async function openSearch(signed: boolean): Promise<FakeOpenSearch> {
  const f = await startFakeOpenSearch(signed ? { credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }], region: 'us-east-1' } : {});
  closers.push(() => f.close());
  return f;
}

function run(main: string, env: NodeJS.ProcessEnv): WrenProcess {
  const w = startWren(['run', '-c', main], { env });
  closers.push(async () => {
    w.kill('SIGKILL');
    await w.exited;
  });
  return w;
}

const kubeApiEdits = (section = 'kubernetes') => [
  { section, key: 'Kube_CA_File', value: certs.caFile },
  { section, key: 'Kube_Token_File', value: tokenFile },
];

describe('aws-for-fluent-bit EKS chart: tail → kubernetes → cloudwatch_logs', () => {
  it('passes wren check as written', () => {
    checkAsWritten(join(FIXTURES, 'eks-chart', 'fluent-bit.conf'), BASE_ENV);
  });

  it('runs: container lines reach CloudWatch Logs with pod metadata, JSON merged under data, excluded pods dropped', async () => {
    const dir = copyFixture('eks-chart');
    const main = join(dir, 'etc', 'fluent-bit.conf');
    const logs = join(dir, 'containers');
    mkdirSync(logs);
    const web = join(logs, `web-1_shop_nginx-${ID('a')}.log`);
    const noisy = join(logs, `noisy-1_shop_app-${ID('b')}.log`);
    // the chart reads files from their end (no Read_from_Head): they exist, lines come after start
    writeFileSync(web, '');
    writeFileSync(noisy, '');
    const cw = await cloudWatch('us-west-2');
    editClassicFile(main, [
      { section: 'tail', key: 'Path', value: `${logs}/*.log` },
      { section: 'tail', key: 'DB', value: join(dir, 'flb_kube.db') },
      { section: 'kubernetes', key: 'Kube_URL', value: kube.url },
      ...kubeApiEdits(),
      { section: 'cloudwatch_logs', key: 'endpoint', value: cw.url },
    ]);
    expect(stripPending(main, BASE_ENV, PENDING)).toEqual([]);
    const w = run(main, BASE_ENV);
    await w.waitForLog(/wren started/);
    appendFileSync(web, criLine('{"level":"info","msg":"GET / 200"}') + criLine('plain line'));
    appendFileSync(noisy, criLine('dropped by the exclude annotation'));
    const group = '/aws/eks/fluentbit-cloudwatch/logs';
    const events = () => [...(cw.groups.get(group)?.streams.values() ?? [])].flat();
    await waitFor('2 events in CloudWatch Logs', () => events().length >= 2, w);
    expect(await stop(w), w.stderr()).toBe(0);
    const streams = [...cw.groups.get(group)!.streams.keys()];
    expect(streams).toEqual([expect.stringMatching(/^fluentbit-kube\..*web-1_shop_nginx-a{64}\.log$/)]);
    const records = events().map((e) => JSON.parse(e.message) as Record<string, unknown>);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ log: '{"level":"info","msg":"GET / 200"}', data: { level: 'info', msg: 'GET / 200' }, kubernetes: { pod_name: 'web-1', namespace_name: 'shop', container_name: 'nginx', labels: { app: 'web' } } });
    expect(records[1]).toMatchObject({ log: 'plain line', kubernetes: { pod_name: 'web-1' } });
    expect(cw.groups.get(group)!.retentionInDays).toBe(30);
    expect(cw.signatureFailures).toEqual([]);
  });
});

describe('Container Insights: fluent-bit.conf with its @INCLUDEs', () => {
  it('passes wren check as written (apart from pending work)', () => {
    checkAsWritten(join(FIXTURES, 'container-insights', 'fluent-bit.conf'), BASE_ENV);
  });

  it('runs: application, dataplane and host logs to their log groups; parsers.conf read; health answers', async () => {
    const dir = copyFixture('container-insights');
    const etc = join(dir, 'etc');
    const main = join(etc, 'fluent-bit.conf');
    const logs = join(dir, 'containers');
    const host = join(dir, 'host');
    mkdirSync(logs);
    mkdirSync(host);
    const now = new Date();
    writeFileSync(join(logs, `web-1_shop_nginx-${ID('a')}.log`), criLine('{"msg":"served"}', now));
    writeFileSync(join(logs, `cloudwatch-agent-x_amazon-cloudwatch_agent-${ID('c')}.log`), criLine('excluded from application', now));
    writeFileSync(join(logs, `fluent-bit-x_amazon-cloudwatch_fluent-bit-${ID('d')}.log`), criLine('own log', now));
    writeFileSync(join(logs, `aws-node-x_kube-system_aws-node-${ID('e')}.log`), criLine('ipamd ready', now));
    writeFileSync(join(host, 'dmesg'), '[    0.000000] Linux version 6.1.0\n');
    const month = now.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
    const day = String(now.getUTCDate()).padStart(2, ' ');
    const hms = now.toISOString().slice(11, 19);
    writeFileSync(join(host, 'messages'), `${month} ${day} ${hms} ip-10-0-1-5 kubelet[1234]: node ready\n`);
    const cw = await cloudWatch('us-east-1');
    const port = await freePort();
    // Flush 5 → 1 only to keep the test short
    editClassicFile(main, [{ section: 'SERVICE', key: 'Flush', value: '1' }]);
    editClassicFile(join(etc, 'application-log.conf'), [
      { section: 'tail', nth: 0, key: 'Path', value: `${logs}/*.log` },
      { section: 'tail', nth: 0, key: 'Exclude_Path', value: `${logs}/cloudwatch-agent*, ${logs}/fluent-bit*, ${logs}/aws-node*, ${logs}/kube-proxy*` },
      { section: 'tail', nth: 1, key: 'Path', value: `${logs}/fluent-bit*` },
      { section: 'tail', nth: 0, key: 'DB', value: join(dir, 'flb_container.db') },
      { section: 'tail', nth: 1, key: 'DB', value: join(dir, 'flb_log.db') },
      { section: 'kubernetes', key: 'Kubelet_Port', value: String(kube.port) },
      ...kubeApiEdits(),
      { section: 'cloudwatch_logs', key: 'endpoint', value: cw.url },
    ]);
    editClassicFile(join(etc, 'dataplane-log.conf'), [
      { section: 'tail', key: 'Path', value: `${logs}/aws-node*, ${logs}/kube-proxy*` },
      { section: 'tail', key: 'DB', value: join(dir, 'flb_dataplane_tail.db') },
      { section: 'cloudwatch_logs', key: 'endpoint', value: cw.url },
    ]);
    editClassicFile(join(etc, 'host-log.conf'), [
      { section: 'tail', nth: 0, key: 'Path', value: join(host, 'dmesg') },
      { section: 'tail', nth: 1, key: 'Path', value: join(host, 'messages') },
      { section: 'tail', nth: 0, key: 'DB', value: join(dir, 'flb_dmesg.db') },
      { section: 'tail', nth: 1, key: 'DB', value: join(dir, 'flb_messages.db') },
      { section: 'cloudwatch_logs', key: 'endpoint', value: cw.url },
    ]);
    const env = { ...BASE_ENV, HTTP_PORT: String(port) };
    const taken = stripPending(main, env, PENDING);
    for (const t of taken) expect(PENDING.some((p) => p.re.test(t.replace(/^\S+:\d+: /, '')))).toBe(true);
    const w = run(main, env);
    const group = (g: string) => [...(cw.groups.get(`/aws/containerinsights/shop-prod/${g}`)?.streams.entries() ?? [])]
      .flatMap(([stream, evs]) => evs.map((e) => ({ ...(JSON.parse(e.message) as Record<string, unknown>), _stream: stream })));
    await waitFor('application, dataplane and host events', () => group('application').length >= 2 && group('dataplane').length >= 1 && group('host').length >= 2, w);
    const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await stop(w), w.stderr()).toBe(0);

    const app = group('application');
    expect(app.map((r) => [r._stream.replace(/\..*containers\./, '.containers.'), r.log])).toEqual(expect.arrayContaining([
      [`ip-10-0-1-5-application.containers.web-1_shop_nginx-${ID('a')}.log`, '{"msg":"served"}'],
      [`ip-10-0-1-5-application.containers.fluent-bit-x_amazon-cloudwatch_fluent-bit-${ID('d')}.log`, 'own log'],
    ]));
    expect(app).toHaveLength(2);
    expect(app.find((r) => r.log === '{"msg":"served"}')).toMatchObject({ log_processed: { msg: 'served' }, kubernetes: { pod_name: 'web-1', namespace_name: 'shop' } });
    expect(group('dataplane').map((r) => r.log)).toEqual(['ipamd ready']);
    const hostEvents = group('host');
    expect(hostEvents.find((r) => r._stream === 'ip-10-0-1-5.host.dmesg')).toMatchObject({ message: '[    0.000000] Linux version 6.1.0' });
    // the Container Insights parsers.conf's own `syslog` parser (not the stock one) read this line
    expect(hostEvents.find((r) => r._stream === 'ip-10-0-1-5.host.messages')).toMatchObject({ host: 'ip-10-0-1-5', ident: 'kubelet', pid: '1234', message: 'node ready' });
    expect(cw.signatureFailures).toEqual([]);
  });
});

describe('fluent-bit Helm chart default (systemd input removed): tail → kubernetes → es', () => {
  /** The chart mounts custom_parsers.conf under /fluent-bit/etc/conf: use the copy's. */
  function mountCustomParsers(dir: string): string {
    const main = join(dir, 'etc', 'fluent-bit.conf');
    writeFileSync(main, readFileSync(main, 'utf8').replace('/fluent-bit/etc/conf/custom_parsers.conf', join(dir, 'etc', 'custom_parsers.conf')));
    return main;
  }

  it('passes wren check as written', () => {
    checkAsWritten(mountCustomParsers(copyFixture('helm-chart')), BASE_ENV);
  });

  it('runs: records in logstash-* indices with pod metadata, merged JSON, log key dropped (Keep_Log Off)', async () => {
    const dir = copyFixture('helm-chart');
    const main = mountCustomParsers(dir);
    const logs = join(dir, 'containers');
    mkdirSync(logs);
    const web = join(logs, `web-1_shop_nginx-${ID('a')}.log`);
    writeFileSync(web, '');
    const es = await openSearch(false);
    const port = await freePort();
    editClassicFile(main, [
      { section: 'SERVICE', key: 'HTTP_Port', value: String(port) },
      { section: 'tail', key: 'Path', value: `${logs}/*.log` },
      { section: 'kubernetes', key: 'Kube_URL', value: kube.url },
      ...kubeApiEdits(),
      { section: 'es', key: 'Host', value: '127.0.0.1' },
      { section: 'es', key: 'Port', value: String(es.port) },
    ]);
    stripPending(main, BASE_ENV, PENDING);
    const w = run(main, BASE_ENV);
    await w.waitForLog(/wren started/);
    appendFileSync(web, criLine('{"level":"warn","msg":"slow upstream"}'));
    await waitFor('a document in OpenSearch', () => es.documents().length >= 1, w);
    const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await stop(w), w.stderr()).toBe(0);
    expect(es.indexNames()).toEqual([expect.stringMatching(/^logstash-\d{4}\.\d{2}\.\d{2}$/)]);
    const doc = es.documents()[0]!;
    expect(doc).toMatchObject({ level: 'warn', msg: 'slow upstream', kubernetes: { pod_name: 'web-1', namespace_name: 'shop', container_name: 'nginx' } });
    expect(doc).not.toHaveProperty('log');
  });
});

describe('Amazon OpenSearch: tail → grep → parser (stock nginx) → opensearch, SigV4', () => {
  it('passes wren check as written', () => {
    checkAsWritten(join(FIXTURES, 'opensearch', 'fluent-bit.conf'), BASE_ENV);
  });

  it('runs: nginx lines parsed by the built-in parser, blank lines dropped, signed bulk requests to the app-logs index', async () => {
    const dir = copyFixture('opensearch');
    const main = join(dir, 'etc', 'fluent-bit.conf');
    const logs = join(dir, 'containers');
    mkdirSync(logs);
    const file = join(logs, `web-1_app_nginx-${ID('a')}.log`);
    writeFileSync(file, '');
    const es = await openSearch(true);
    editClassicFile(main, [
      { section: 'tail', key: 'Path', value: `${logs}/*_app_*.log` },
      { section: 'opensearch', key: 'Port', value: String(es.port) },
      { section: 'opensearch', key: 'TLS', value: 'Off' },
      // Flush 5 → 1 only to keep the test short
      { section: 'SERVICE', key: 'Flush', value: '1' },
    ]);
    // the domain endpoint comes from @SET: point it at the fake
    writeFileSync(main, readFileSync(main, 'utf8').replace(/^@SET DOMAIN_HOST=.*$/m, '@SET DOMAIN_HOST=127.0.0.1'));
    const w = run(main, BASE_ENV);
    await w.waitForLog(/wren started/);
    appendFileSync(file, criLine('10.0.0.9 - alice [14/Mar/2025:09:26:53 +0000] "GET /cart?id=7 HTTP/1.1" 200 512 "https://shop.example/" "Mozilla/5.0 (X11)"') + criLine('   '));
    await waitFor('a document in OpenSearch', () => es.documents('app-logs').length >= 1, w);
    expect(await stop(w), w.stderr()).toBe(0);
    expect(es.documents('app-logs')).toEqual([expect.objectContaining({
      '@timestamp': '2025-03-14T09:26:53.000Z',
      remote: '10.0.0.9', host: '-', user: 'alice', method: 'GET', path: '/cart?id=7', code: '200', size: '512', referer: 'https://shop.example/', agent: 'Mozilla/5.0 (X11)',
    })]);
    expect(es.signatureFailures).toEqual([]);
    expect(es.verified).toBeGreaterThan(0);
  });
});
