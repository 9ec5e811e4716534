import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { firehoseOutput } from '../../../plugins/out_firehose/index.js';
import { kinesisFirehoseOutput } from '../../../plugins/out_kinesis_firehose/index.js';
import type { RawValue } from '../../../src/config/types.js';
import { startFakePutRecords, type FakeKey, type FakePutRecords } from '../../helpers/fake-put-records.js';
import { startStsFake } from '../../helpers/sts-fake.js';
import { closeAll, deliver, KEY, makeOutput, numbered, onClose, range, SECRET } from '../../helpers/output-harness.js';

afterEach(closeAll);

async function fake(opts: { maxBodyBytes?: number } = {}): Promise<FakePutRecords> {
  const f = await startFakePutRecords({ service: 'firehose', keys: [{ accessKeyId: KEY, secretAccessKey: SECRET }], ...opts });
  onClose(() => f.close());
  return f;
}

async function firehose(f: FakePutRecords, entries: Array<[string, RawValue]> = [], def = kinesisFirehoseOutput) {
  return makeOutput(def, [['region', 'us-east-1'], ['delivery_stream', 'logs'], ['endpoint', f.url], ...entries]);
}

const lines = (f: FakePutRecords) => f.records().map((r) => r.data.toString('utf8'));
const ns = (f: FakePutRecords) => lines(f).flatMap((l) => l.split('\n').filter(Boolean)).map((l) => (JSON.parse(l) as { n: number }).n);

describe('kinesis_firehose', () => {
  it('sends each record as its JSON and a newline, 500 records a call, every call signed', async () => {
    const f = await fake();
    const { out } = await firehose(f);
    const d = await deliver(out, numbered(1203));
    expect(d.results.map((r) => r.status)).toEqual(['ok']);
    expect(lines(f)[0]).toBe('{"n":0,"msg":"line 0"}\n');
    expect(ns(f)).toEqual(range(1203));
    expect(f.calls.map((c) => c.records)).toEqual([500, 500, 203]);
    expect(f.signatureFailures).toEqual([]);
    expect(f.violations).toEqual([]);
  });

  it('resends only the records Firehose reports failed (FailedPutCount), exactly once each', async () => {
    const f = await fake();
    f.inject({ kind: 'records', times: 3, fail: (i) => (i % 7 === 3 ? 'ServiceUnavailableException' : undefined) });
    const { out, ctx } = await firehose(f);
    const d = await deliver(out, numbered(1000));
    expect(d.results.length).toBeGreaterThan(1);
    const first = d.results[0]!;
    expect(first.status).toBe('retry');
    // the first flush retries just the failed entries of its calls
    expect(first.status === 'retry' && first.only!.every((p) => p % 7 === 3 || p >= 500)).toBe(true);
    expect([...ns(f)].sort((a, b) => a - b)).toEqual(range(1000));
    expect(ctx.counters.get('retried_records')).toBeGreaterThan(0);
  });

  it('backs off on whole-call throttling and 5xx, and halves a call on 413: still exactly once', async () => {
    const f = await fake();
    f.inject({ kind: 'throttle', times: 2 });
    f.inject({ kind: 'status', status: 500 });
    f.inject({ kind: 'too-large', times: 2 });
    const { out } = await firehose(f);
    const d = await deliver(out, numbered(1500));
    expect(d.results.filter((r) => r.status === 'retry').length).toBeGreaterThanOrEqual(3);
    const retry = d.results.find((r) => r.status === 'retry' && /ServiceUnavailableException/.test(r.reason));
    expect(retry).toBeDefined();
    expect([...ns(f)].sort((a, b) => a - b)).toEqual(range(1500));
    expect(f.calls.some((c) => c.status === 413)).toBe(true);
  });

  it('drops (and counts) a record over 1,000 KiB, as Fluent Bit does; the Go name cuts it with [Truncated...]', async () => {
    const big = 'x'.repeat(1_100_000);
    const events = [...numbered(3), { time: Date.now(), record: { n: 99, msg: big } }];
    const f = await fake();
    const { out, ctx } = await firehose(f);
    const d = await deliver(out, events);
    expect(d.dropped).toBe(1);
    expect(ctx.counters.get('dropped_too_large')).toBe(1);
    expect(ns(f)).toEqual([0, 1, 2]);

    const g = await fake();
    const { out: go, ctx: gctx } = await firehose(g, [], firehoseOutput);
    const d2 = await deliver(go, events);
    expect(d2.dropped).toBe(0);
    const last = g.records().at(-1)!.data;
    expect(last.length).toBe(1_024_000);
    expect(last.subarray(-14).toString()).toBe('[Truncated...]');
    expect(gctx.counters.get('truncated_records')).toBe(1);
    expect(gctx.logs.some((l) => /truncated 1 record/.test(String(l.msg)))).toBe(true);
  });

  it('log_key, time_key with %3N, data_keys, replace_dots', async () => {
    const t = Date.parse('2025-03-14T09:00:01.234Z');
    const f = await fake();
    const { out } = await firehose(f, [['time_key', 'ts'], ['time_key_format', '%Y-%m-%dT%H:%M:%S.%3NZ']]);
    await deliver(out, [{ time: t, record: { a: 1 } }]);
    expect(lines(f)).toEqual(['{"a":1,"ts":"2025-03-14T09:00:01.234Z"}\n']);

    const g = await fake();
    const { out: o2 } = await firehose(g, [['log_key', 'log']]);
    const d = await deliver(o2, [{ time: t, record: { log: 'plain "text"' } }, { time: t, record: { other: 1 } }, { time: t, record: { log: { x: 1 } } }]);
    expect(lines(g)).toEqual(['plain "text"\n', '{"x":1}\n']);
    expect(d.dropped).toBe(1);

    const h = await fake();
    const { out: o3 } = await firehose(h, [['data_keys', 'log,k.v'], ['replace_dots', '_'], ['time_key', 't'], ['time_key_format', '%s.%L']], firehoseOutput);
    await deliver(o3, [{ time: t, record: { log: 'x', 'k.v': { 'a.b': 1 }, drop: true } }]);
    expect(lines(h)).toEqual(['{"log":"x","k_v":{"a_b":1},"t":"1741942801.234"}\n']);
  });

  it('simple_aggregation packs newline-joined records into few Firehose records; gzip compresses each', async () => {
    const f = await fake();
    const { out } = await firehose(f, [['simple_aggregation', 'on']]);
    await deliver(out, numbered(5000));
    expect(f.records().length).toBeLessThan(10);
    expect(ns(f)).toEqual(range(5000));

    const g = await fake();
    const { out: o2 } = await firehose(g, [['compression', 'gzip']]);
    await deliver(o2, numbered(10));
    expect(g.records().map((r) => gunzipSync(r.data).toString())).toEqual(numbered(10).map((e) => JSON.stringify(e.record) + '\n'));
  });

  it('a missing stream is retried with the fix in the reason; records kept', async () => {
    const f = await fake();
    const { out } = await makeOutput(kinesisFirehoseOutput, [['region', 'us-east-1'], ['delivery_stream', 'nope'], ['endpoint', f.url]]);
    const r = await out.flush((await import('../../helpers/chunks.js')).chunkOf(numbered(3)));
    expect(r.status).toBe('retry');
    expect(r.status === 'retry' && r.reason).toMatch(/ResourceNotFoundException.*create the Firehose stream/);
  });

  it('role_arn with external_id and sts_endpoint: the calls are signed with the role STS issued (kinesis_firehose and firehose)', async () => {
    const sts = await startStsFake({ secrets: { [KEY]: SECRET } });
    onClose(() => sts.close());
    // the fake knows the keys STS issued, looked up when a call arrives
    const keys: FakeKey[] = [];
    const find = keys.find.bind(keys);
    keys.find = ((pred: (k: FakeKey) => boolean) => {
      for (const [id, i] of sts.issued) if (!keys.some((k) => k.accessKeyId === id)) keys.push({ accessKeyId: id, secretAccessKey: i.secretAccessKey, sessionToken: i.sessionToken });
      return find(pred);
    }) as typeof keys.find;
    const f = await startFakePutRecords({ service: 'firehose', keys });
    onClose(() => f.close());
    const role = 'arn:aws:iam::123456789012:role/firehose-writer';
    for (const def of [kinesisFirehoseOutput, firehoseOutput]) {
      const { out } = await firehose(f, [['role_arn', role], ['external_id', 'wren-test'], ['sts_endpoint', sts.url]], def);
      expect((await deliver(out, numbered(20))).results.map((r) => r.status)).toEqual(['ok']);
    }
    // one AssumeRole: outputs with the same role and base credentials share them (one chain)
    expect(sts.calls.map((c) => [c.action, c.params.RoleArn, c.params.ExternalId, c.signedBy])).toEqual([['AssumeRole', role, 'wren-test', KEY]]);
    expect(keys.map((k) => k.accessKeyId)).toEqual([...sts.issued.keys()]);
    expect(f.calls.map((c) => c.status)).toEqual([200, 200]);
    expect(f.signatureFailures).toEqual([]);
    expect(ns(f)).toEqual([...range(20), ...range(20)]);
  });
  it('flushes at once past the bodies WebAssembly memory holds (one per worker) make theirs in JS: every record once', async () => {
    const f = await fake();
    const { out } = await firehose(f, [['workers', '2']]);
    const chunks = [0, 1, 2].map((k) => numbered(1200, Date.parse('2025-03-14T09:00:00Z'), (i) => ({ n: k * 1200 + i })));
    const all = await Promise.all(chunks.map((c) => deliver(out, c)));
    expect(all.map((d) => d.results.map((r) => r.status))).toEqual([['ok'], ['ok'], ['ok']]);
    expect([...ns(f)].sort((a, b) => a - b)).toEqual(range(3600));
    expect(f.calls.map((c) => c.records).sort()).toEqual([200, 200, 200, 500, 500, 500, 500, 500, 500]);
    expect(f.signatureFailures).toEqual([]);
    expect(f.violations).toEqual([]);
  });

  it('without WebAssembly (node --jitless) the bodies are made by the JS loop: the same records and calls', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const { kinesisFirehoseOutput: jsOnly } = await import('../../../plugins/out_kinesis_firehose/index.js');
      const { WasmBodies } = await import('../../../src/sink/put-records/wasm-bodies.js');
      const { FIREHOSE } = await import('../../../src/sink/put-records/service.js');
      expect(WasmBodies.create(FIREHOSE)).toBeUndefined();
      const f = await fake();
      const { out } = await firehose(f, [], jsOnly);
      expect((await deliver(out, numbered(1203))).results.map((r) => r.status)).toEqual(['ok']);
      expect(lines(f)[0]).toBe('{"n":0,"msg":"line 0"}\n');
      expect(ns(f)).toEqual(range(1203));
      expect(f.calls.map((c) => c.records)).toEqual([500, 500, 203]);
      expect(f.signatureFailures).toEqual([]);
      expect(f.violations).toEqual([]);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
