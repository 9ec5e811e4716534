import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FilterInstance, LogEvent } from '../../../src/engine/types.js';
import { kubernetesFilter } from '../../../plugins/filter_kubernetes/index.js';
import { podJson, startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { makeTestCerts, type TestCerts } from '../../helpers/tls-certs.js';
import { contextFor, type TestContext } from '../filter_parser/context.js';

const ID = '0123456789abcdef'.repeat(4);
const ID2 = 'fedcba9876543210'.repeat(4);
const tagOf = (pod: string, ns: string, container: string, id = ID) => `kube.var.log.containers.${pod}_${ns}_${container}-${id}.log`;
const fileMeta = (pod: string, ns: string, container: string, id = ID) => ({ pod_name: pod, namespace_name: ns, container_name: container, docker_id: id });

let certs: TestCerts;
let otherCerts: TestCerts;
let api: FakeKubeApi;
let dir: string;
let tokenFile: string;
const instances: FilterInstance[] = [];
let ctx: TestContext;

beforeAll(async () => {
  certs = makeTestCerts();
  otherCerts = makeTestCerts();
  dir = mkdtempSync(join(tmpdir(), 'wren-kube-'));
  tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'sa-token-1\n');
  api = await startFakeKubeApi(certs, 'sa-token-1');
});
afterAll(async () => {
  await api.close();
});
afterEach(async () => {
  for (const i of instances.splice(0)) await i.stop?.();
  api.mode = 'ok';
  api.delayMs = 0;
  api.token = 'sa-token-1';
  api.requests.length = 0;
  api.pods.clear();
  writeFileSync(tokenFile, 'sa-token-1\n');
});

async function filterWith(opts: Record<string, unknown>): Promise<FilterInstance> {
  ctx = contextFor(kubernetesFilter.options, {
    kube_url: api.url, kube_ca_file: certs.caFile, kube_token_file: tokenFile,
    kube_meta_wait_timeout: '2s', kube_meta_io_timeout: '2s', ...opts,
  });
  const inst = await kubernetesFilter.create(ctx);
  instances.push(inst);
  return inst;
}

const batch = (...logs: string[]): LogEvent[] => logs.map((log, i) => ({ time: i, record: { log } }));
const warnings = () => ctx.logLines.filter((l) => l.level === 'warn').map((l) => String(l.msg));

function addWebPod(labels = { app: 'web', tier: 'front' }): void {
  api.pods.set('shop/web-1', podJson('shop', 'web-1', {
    uid: '6f1c2d3e-0000-4000-8000-000000000001', node: 'ip-10-0-1-5.ec2.internal', ip: '10.0.1.23', labels,
    annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T00:00:00Z' },
    containers: [
      { name: 'nginx', id: ID, image: 'nginx:1.27', imageID: 'docker.io/library/nginx@sha256:' + 'c'.repeat(64) },
      { name: 'sidecar', id: ID2, image: 'envoy:1.30', imageID: 'docker-pullable://envoy@sha256:' + 'd'.repeat(64) },
    ],
  }));
}

describe('kubernetes filter: API enrichment', () => {
  it('adds pod_id, labels, annotations, host, pod_ip, container_hash and container_image, in Fluent Bit\'s order', async () => {
    addWebPod();
    const f = await filterWith({});
    const out = await f.filter(batch('a', 'b'), tagOf('web-1', 'shop', 'nginx'));
    const expected = {
      pod_name: 'web-1', namespace_name: 'shop', pod_id: '6f1c2d3e-0000-4000-8000-000000000001',
      labels: { app: 'web', tier: 'front' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T00:00:00Z' },
      host: 'ip-10-0-1-5.ec2.internal', pod_ip: '10.0.1.23', container_name: 'nginx', docker_id: ID,
      container_hash: 'docker.io/library/nginx@sha256:' + 'c'.repeat(64), container_image: 'nginx:1.27',
    };
    expect(out).toEqual([{ time: 0, record: { log: 'a', kubernetes: expected } }, { time: 1, record: { log: 'b', kubernetes: expected } }]);
    expect(Object.keys(out[0]!.record.kubernetes as object)).toEqual(Object.keys(expected));
    expect(api.requests).toEqual([{ path: '/api/v1/namespaces/shop/pods/web-1', authorized: true }]);
  });

  it('asks once per pod: later batches and other containers of the pod use the cache', async () => {
    addWebPod();
    api.pods.set('shop/db-0', podJson('shop', 'db-0'));
    const f = await filterWith({});
    for (let i = 0; i < 3; i++) await f.filter(batch('x'), tagOf('web-1', 'shop', 'nginx'));
    const side = await f.filter(batch('y'), tagOf('web-1', 'shop', 'sidecar', ID2));
    expect(side[0]!.record.kubernetes).toMatchObject({ container_name: 'sidecar', container_image: 'envoy:1.30', container_hash: 'envoy@sha256:' + 'd'.repeat(64) });
    // A cached pod answers synchronously: no promise, no wait.
    expect(f.filter(batch('z'), tagOf('web-1', 'shop', 'nginx'))).not.toBeInstanceOf(Promise);
    await f.filter(batch('w'), tagOf('db-0', 'shop', 'postgres'));
    expect(api.requests.map((r) => r.path)).toEqual(['/api/v1/namespaces/shop/pods/web-1', '/api/v1/namespaces/shop/pods/db-0']);
  });

  it('labels and annotations off leave them out; owner_references on adds them', async () => {
    addWebPod();
    const f = await filterWith({ labels: 'off', annotations: 'off', owner_references: 'on' });
    const k = (await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes as Record<string, unknown>;
    expect(k.labels).toBeUndefined();
    expect(k.annotations).toBeUndefined();
    expect(k.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1-rs', uid: 'rs-1', controller: true }]);
  });

  it('merges the log and adds the metadata in one pass', async () => {
    addWebPod();
    const f = await filterWith({ merge_log: 'on', keep_log: 'off', labels: 'off', annotations: 'off' });
    const out = await f.filter([{ time: 1, record: { log: '{"level":"error","msg":"boom"}\n', stream: 'stderr' } }], tagOf('web-1', 'shop', 'nginx'));
    expect(out[0]!.record).toEqual({
      stream: 'stderr', level: 'error', msg: 'boom',
      kubernetes: {
        pod_name: 'web-1', namespace_name: 'shop', pod_id: '6f1c2d3e-0000-4000-8000-000000000001', host: 'ip-10-0-1-5.ec2.internal',
        pod_ip: '10.0.1.23', container_name: 'nginx', docker_id: ID, container_hash: 'docker.io/library/nginx@sha256:' + 'c'.repeat(64),
        container_image: 'nginx:1.27',
      },
    });
  });

  it('asks the kubelet /pods with use_kubelet', async () => {
    addWebPod();
    const f = await filterWith({ use_kubelet: 'on', kubelet_host: '127.0.0.1', kubelet_port: api.port, labels: 'off', annotations: 'off' });
    const k = (await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes;
    expect(k).toMatchObject({ pod_id: '6f1c2d3e-0000-4000-8000-000000000001', host: 'ip-10-0-1-5.ec2.internal', container_image: 'nginx:1.27' });
    expect(api.requests).toEqual([{ path: '/pods', authorized: true }]);
  });

  it('re-reads the token file at once after a 401', async () => {
    addWebPod();
    api.token = 'sa-token-2'; // rotated on the server, not yet in the file
    const f = await filterWith({ kube_meta_negative_cache_ttl: '100ms', kube_token_ttl: '10m' });
    expect((await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toEqual(fileMeta('web-1', 'shop', 'nginx'));
    expect(warnings().join('\n')).toMatch(/answered 401 .*check kube_token_file/);
    writeFileSync(tokenFile, 'sa-token-2');
    await new Promise((r) => setTimeout(r, 150));
    f.filter(batch('b'), tagOf('web-1', 'shop', 'nginx')); // starts the retry in the background
    await new Promise((r) => setTimeout(r, 200));
    expect((await f.filter(batch('c'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toMatchObject({ pod_id: '6f1c2d3e-0000-4000-8000-000000000001' });
    expect(api.requests.map((r) => r.authorized)).toEqual([false, true]);
  });

  it('re-reads the token file after kube_token_ttl (projected tokens rotate)', async () => {
    addWebPod();
    api.pods.set('shop/db-0', podJson('shop', 'db-0'));
    const f = await filterWith({ kube_token_ttl: '100ms' });
    await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx'));
    api.token = 'sa-token-2';
    writeFileSync(tokenFile, 'sa-token-2\n');
    await new Promise((r) => setTimeout(r, 150));
    expect((await f.filter(batch('b'), tagOf('db-0', 'shop', 'postgres')))[0]!.record.kubernetes).toMatchObject({ pod_id: 'uid-db-0' });
    expect(api.requests.map((r) => r.authorized)).toEqual([true, true]);
  });

  it('refreshes after kube_meta_cache_ttl in the background, serving the old metadata meanwhile', async () => {
    addWebPod({ app: 'web', tier: 'front' });
    const f = await filterWith({ kube_meta_cache_ttl: '100ms' });
    expect((await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toMatchObject({ labels: { app: 'web', tier: 'front' } });
    addWebPod({ app: 'web', tier: 'back' });
    await new Promise((r) => setTimeout(r, 150));
    const during = f.filter(batch('b'), tagOf('web-1', 'shop', 'nginx'));
    expect(during).not.toBeInstanceOf(Promise);
    expect((during as LogEvent[])[0]!.record.kubernetes).toMatchObject({ labels: { tier: 'front' } });
    await new Promise((r) => setTimeout(r, 100));
    expect((await f.filter(batch('c'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toMatchObject({ labels: { tier: 'back' } });
    expect(api.requests).toHaveLength(2);
  });
});

describe('kubernetes filter: fluentbit.io annotations (k8s-logging.parser / k8s-logging.exclude)', () => {
  const annotated = () => api.pods.set('shop/web-1', podJson('shop', 'web-1', {
    annotations: { 'fluentbit.io/exclude_stderr': 'true', 'fluentbit.io/parser_stdout-nginx': 'logfmt', 'fluentbit.io/parser-sidecar': 'nope' },
    containers: [{ name: 'nginx', id: ID, image: 'nginx', imageID: 'x' }, { name: 'sidecar', id: ID2, image: 'envoy', imageID: 'y' }],
  }));
  const records = (): LogEvent[] => [
    { time: 1, record: { log: 'level=info n=1', stream: 'stdout' } },
    { time: 2, record: { log: 'oops', stream: 'stderr' } },
    { time: 3, record: { log: '{"json":true}', stream: 'stdout' } },
  ];
  const strip = (out: LogEvent[]) => out.map((e) => { const { kubernetes: _k, ...rest } = e.record; return rest; });

  it('drops excluded streams and merges with the parser a container\'s annotation names', async () => {
    annotated();
    const f = await filterWith({ merge_log: 'on', 'k8s-logging.parser': 'on', 'k8s-logging.exclude': 'on' });
    expect(strip(await f.filter(records(), tagOf('web-1', 'shop', 'nginx')))).toEqual([
      { log: 'level=info n=1', stream: 'stdout', level: 'info', n: '1' },
      // logfmt reads anything: `{`, `json` and `:true}` are bare keys.
      { log: '{"json":true}', stream: 'stdout', '{': true, json: true, ':true}': true },
    ]);
    // The sidecar: pod-wide exclude_stderr applies, its parser is not defined: JSON merge, warned once.
    expect(strip(await f.filter(records(), tagOf('web-1', 'shop', 'sidecar', ID2)))).toEqual([
      { log: 'level=info n=1', stream: 'stdout' },
      { log: '{"json":true}', stream: 'stdout', json: true },
    ]);
    await f.filter(records(), tagOf('web-1', 'shop', 'sidecar', ID2));
    expect(warnings()).toEqual([expect.stringMatching(/asks for parser 'nope' \(fluentbit\.io\/parser\), which is not defined/)]);
    expect(ctx.counters.get('excluded_records')).toBe(3);
  });

  it('ignores the annotations unless allowed', async () => {
    annotated();
    const f = await filterWith({ merge_log: 'on' });
    expect(strip(await f.filter(records(), tagOf('web-1', 'shop', 'nginx')))).toEqual([
      { log: 'level=info n=1', stream: 'stdout' },
      { log: 'oops', stream: 'stderr' },
      { log: '{"json":true}', stream: 'stdout', json: true },
    ]);
  });
});

describe('kubernetes filter: the API failing never blocks the pipeline', () => {
  it('API down: records keep the file-name metadata, without waiting, and the error is logged once per pod', async () => {
    const down = await startFakeKubeApi(certs, 'sa-token-1');
    await down.close();
    const f = await filterWith({ kube_url: down.url });
    const t0 = performance.now();
    const out = await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx'));
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(out[0]!.record.kubernetes).toEqual(fileMeta('web-1', 'shop', 'nginx'));
    for (let i = 0; i < 5; i++) {
      const r = f.filter(batch('b'), tagOf('web-1', 'shop', 'nginx'));
      expect(r).not.toBeInstanceOf(Promise);
      expect((r as LogEvent[])[0]!.record.kubernetes).toEqual(fileMeta('web-1', 'shop', 'nginx'));
    }
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/^kubernetes: metadata of pod shop\/web-1: cannot reach the Kubernetes API at 127\.0\.0\.1:\d+: .*ECONNREFUSED.*check kube_url.*; records go on with the file-name metadata, next try in 60s$/);
    expect(ctx.counters.get('kube_api_errors')).toBe(1);
  });

  it('403: records keep the file-name metadata, the pod is not asked again within the negative TTL', async () => {
    addWebPod();
    api.mode = 'forbidden';
    const f = await filterWith({});
    for (let i = 0; i < 4; i++) {
      expect((await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toEqual(fileMeta('web-1', 'shop', 'nginx'));
    }
    expect(api.requests).toHaveLength(1);
    expect(warnings()).toEqual([expect.stringMatching(/answered 403 for \/api\/v1\/namespaces\/shop\/pods\/web-1 \(grant the service account get, list and watch on pods/)]);
  });

  it('500 then recovery: asked again after kube_meta_negative_cache_ttl, in the background', async () => {
    addWebPod();
    api.mode = 'fail';
    const f = await filterWith({ kube_meta_negative_cache_ttl: '150ms', labels: 'off', annotations: 'off' });
    expect((await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toEqual(fileMeta('web-1', 'shop', 'nginx'));
    api.mode = 'ok';
    expect((await f.filter(batch('b'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toEqual(fileMeta('web-1', 'shop', 'nginx'));
    expect(api.requests).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200));
    const retry = f.filter(batch('c'), tagOf('web-1', 'shop', 'nginx'));
    expect(retry).not.toBeInstanceOf(Promise);
    await new Promise((r) => setTimeout(r, 100));
    expect((await f.filter(batch('d'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toMatchObject({ pod_id: '6f1c2d3e-0000-4000-8000-000000000001' });
    expect(api.requests).toHaveLength(2);
  });

  it('hanging API: the first batch of a pod waits only kube_meta_wait_timeout; later ones do not wait at all', async () => {
    addWebPod();
    api.mode = 'hang';
    const f = await filterWith({ kube_meta_wait_timeout: '200ms', kube_meta_io_timeout: '600ms' });
    const t0 = performance.now();
    const first = await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx'));
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(500);
    expect(first[0]!.record.kubernetes).toEqual(fileMeta('web-1', 'shop', 'nginx'));
    const t1 = performance.now();
    for (let i = 0; i < 3; i++) {
      const r = f.filter(batch('b'), tagOf('web-1', 'shop', 'nginx'));
      expect(r).not.toBeInstanceOf(Promise);
    }
    expect(performance.now() - t1).toBeLessThan(150); // under kube_meta_wait_timeout: no wait; room for a loaded CI machine
    // Another new pod waits its own (bounded) turn.
    const t2 = performance.now();
    await f.filter(batch('c'), tagOf('api-2', 'shop', 'app'));
    expect(performance.now() - t2).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 600));
    expect(warnings().filter((w) => w.includes('did not answer within 600 ms'))).toHaveLength(2);
  });

  it('a CA that did not sign the server: TLS error with the fix; tls.verify off gets through', async () => {
    addWebPod();
    const f = await filterWith({ kube_ca_file: otherCerts.caFile });
    expect((await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toEqual(fileMeta('web-1', 'shop', 'nginx'));
    expect(warnings()[0]).toMatch(/cannot reach the Kubernetes API.*\(check kube_ca_file/);
    const g = await filterWith({ kube_ca_file: otherCerts.caFile, 'tls.verify': 'off' });
    expect((await g.filter(batch('a'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toMatchObject({ pod_ip: '10.0.1.23' });
  });

  it('an answer larger than buffer_size is an error with the fix', async () => {
    addWebPod();
    const f = await filterWith({ buffer_size: '1k' });
    expect((await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx')))[0]!.record.kubernetes).toEqual(fileMeta('web-1', 'shop', 'nginx'));
    expect(warnings()[0]).toMatch(/larger than buffer_size \(1024 bytes\) \(raise buffer_size/);
  });

  it('never logs the token', async () => {
    api.mode = 'forbidden';
    const f = await filterWith({});
    await f.filter(batch('a'), tagOf('web-1', 'shop', 'nginx'));
    expect(JSON.stringify(ctx.logLines)).not.toContain('sa-token-1');
  });
});
