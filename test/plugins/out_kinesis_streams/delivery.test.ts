import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { kinesisOutput } from '../../../plugins/out_kinesis/index.js';
import { kinesisStreamsOutput } from '../../../plugins/out_kinesis_streams/index.js';
import type { RawValue } from '../../../src/config/types.js';
import { startFakePutRecords, type FakePutRecords } from '../../helpers/fake-put-records.js';
import { startKinesalite } from '../../helpers/kinesalite.js';
import { closeAll, deliver, KEY, makeOutput, numbered, onClose, range, SECRET } from '../../helpers/output-harness.js';
import { startSigFront } from '../../helpers/sig-front.js';

afterEach(closeAll);

async function fake(): Promise<FakePutRecords> {
  const f = await startFakePutRecords({ service: 'kinesis', keys: [{ accessKeyId: KEY, secretAccessKey: SECRET }] });
  onClose(() => f.close());
  return f;
}

async function kinesis(url: string, entries: Array<[string, RawValue]> = [], def = kinesisStreamsOutput) {
  const base: Array<[string, RawValue]> = [['region', 'us-east-1'], ['stream', 'logs'], ['endpoint', url]];
  return makeOutput(def, [...base.filter(([k]) => !entries.some(([e]) => e === k)), ...entries]);
}

type Rec = { n: number; pod?: string };
const parse = (data: Buffer): Rec[] => data.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);

describe('kinesis_streams', () => {
  it('partition key from a record field (nested with ->), random otherwise; 500 a call, signed', async () => {
    const f = await fake();
    const { out } = await kinesis(f.url, [['partition_key', 'kubernetes->pod_name']]);
    const events = numbered(1100, undefined, (i) => (i % 10 === 9 ? {} : { kubernetes: { pod_name: `pod-${i % 3}` } }));
    await deliver(out, events);
    const recs = f.records();
    expect(recs.flatMap((r) => parse(r.data)).map((r) => r.n)).toEqual(range(1100));
    for (const r of recs) {
      const rec = parse(r.data)[0]!;
      if (rec.n % 10 === 9) expect(r.partitionKey).toMatch(/^[A-Za-z0-9]{8}$/);
      else expect(r.partitionKey).toBe(`pod-${rec.n % 3}`);
    }
    expect(f.calls.map((c) => c.records)).toEqual([500, 500, 100]);
    expect(f.signatureFailures).toEqual([]);
  });

  it('per-record failures: only the failed records are resent, each exactly once', async () => {
    const f = await fake();
    f.inject({ kind: 'records', times: 4, fail: (i) => (i % 5 === 1 ? 'InternalFailure' : undefined) });
    const { out, ctx } = await kinesis(f.url);
    const d = await deliver(out, numbered(1200));
    expect(d.results[0]!.status).toBe('retry');
    const first = d.results[0]!;
    // the first attempt's three calls went through apart from their failed entries (every 5th from
    // the second): only those are retried
    expect(first.status === 'retry' && first.only).toEqual(range(1200).filter((p) => (p % 500) % 5 === 1));
    expect(f.records().map((r) => parse(r.data)[0]!.n).sort((a, b) => a - b)).toEqual(range(1200));
    expect(ctx.counters.get('retried_records')).toBeGreaterThan(0);
  });

  it('a shard throttled mid-call: its records wait, and each partition key keeps its order across the retries', async () => {
    const f = await fake();
    // like a hot shard: once a key is throttled in a call, its later records in that call fail too
    let throttled = new Set<string>();
    f.inject({ kind: 'records', times: 6, fail: (i, _d, key) => {
      if (i === 0) throttled = new Set();
      if (throttled.has(key!) || (i % 37 === 5 && key !== 'p3')) {
        throttled.add(key!);
        return 'ProvisionedThroughputExceededException';
      }
      return undefined;
    } });
    const { out } = await kinesis(f.url, [['partition_key', 'pod']]);
    const d = await deliver(out, numbered(2000, undefined, (i) => ({ pod: `p${i % 4}` })));
    expect(d.results.filter((r) => r.status === 'retry').length).toBeGreaterThan(1);
    const got = f.records().map((r) => ({ key: r.partitionKey!, ...parse(r.data)[0]! }));
    expect(got.map((r) => r.n).sort((a, b) => a - b)).toEqual(range(2000));
    for (const key of ['p0', 'p1', 'p2', 'p3']) {
      const seq = got.filter((r) => r.key === key).map((r) => r.n);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });

  it('throttling, 5xx and an expired token: whole calls retried, exactly once', async () => {
    const f = await fake();
    f.inject({ kind: 'throttle', times: 2 });
    f.inject({ kind: 'status', status: 503 });
    f.inject({ kind: 'expired-token' });
    const { out } = await kinesis(f.url);
    await deliver(out, numbered(700));
    expect(f.records().flatMap((r) => parse(r.data)).map((r) => r.n).sort((a, b) => a - b)).toEqual(range(700));
  });

  it('5 MiB a call counting partition keys; a record over 1 MiB dropped (kinesis_streams) or cut (kinesis)', async () => {
    const f = await fake();
    const { out } = await kinesis(f.url);
    const blob = 'y'.repeat(40_000);
    const events = [...numbered(300, undefined, () => ({ blob })), { time: Date.now(), record: { n: 300, blob: 'z'.repeat(1_100_000) } }];
    const d = await deliver(out, events);
    expect(d.dropped).toBe(1);
    expect(f.violations).toEqual([]);
    expect(f.calls.length).toBeGreaterThan(2);
    expect(f.records()).toHaveLength(300);

    const g = await fake();
    const { out: go } = await kinesis(g.url, [['append_newline', 'on']], kinesisOutput);
    await deliver(go, events.slice(-1));
    const r = g.records()[0]!;
    expect(r.data.length + Buffer.byteLength(r.partitionKey!)).toBe(1024 * 1024);
    expect(r.data.subarray(-14).toString()).toBe('[Truncated...]');
  });

  it('the Go name: no newline unless append_newline; compression zlib', async () => {
    const f = await fake();
    const { out } = await kinesis(f.url, [['compression', 'zlib']], kinesisOutput);
    await deliver(out, numbered(2));
    expect(f.records().map((r) => inflateSync(r.data).toString())).toEqual(['{"n":0,"msg":"line 0"}', '{"n":1,"msg":"line 1"}']);
  });

  it('KPL aggregation: aggregated records that aws-kinesis-agg (the reference de-aggregator) reads back', async () => {
    const { deaggregateSync } = (await import('aws-kinesis-agg')) as unknown as { deaggregateSync: (r: unknown, checksums: boolean, cb: (err: Error | null, recs?: Array<{ partitionKey: string; data: string }>) => void) => void };
    const f = await fake();
    const { out } = await kinesis(f.url, [['aggregation', 'on'], ['partition_key', 'pod']], kinesisOutput);
    const big = 'b'.repeat(25_000);
    const events = numbered(3000, undefined, (i) => ({ pod: 'checkout', ...(i === 1500 ? { big } : {}) }));
    await deliver(out, events);
    expect(f.records().length).toBeLessThan(20);
    const users: Array<{ partitionKey: string; n: number }> = [];
    for (const r of f.records()) {
      deaggregateSync({ data: r.data.toString('base64'), partitionKey: r.partitionKey, sequenceNumber: '1' }, true, (err, recs) => {
        if (err) throw err;
        for (const u of recs!) users.push({ partitionKey: u.partitionKey, n: (JSON.parse(Buffer.from(u.data, 'base64').toString()) as Rec).n });
      });
    }
    expect(users.map((u) => u.n)).toEqual(range(3000));
    expect(new Set(users.map((u) => u.partitionKey))).toEqual(new Set(['checkout']));
    expect(f.records().every((r) => r.data.length + 8 <= 1024 * 1024)).toBe(true);
  });
});

describe('kinesis_streams against kinesalite (an independent Kinesis), behind a signature-checking front', () => {
  it('every record lands on its shard in order, plain and aggregated', async () => {
    const k = await startKinesalite();
    onClose(() => k.close());
    await k.createStream('logs', 4);
    await k.createStream('agg', 2);
    const front = await startSigFront({ target: k.url, service: 'kinesis', accessKeyId: KEY, secretAccessKey: SECRET });
    onClose(() => front.close());
    const { out } = await kinesis(front.url, [['partition_key', 'pod']]);
    const events = numbered(1200, undefined, (i) => ({ pod: `pod-${i % 7}` }));
    await deliver(out, events);
    const got = await k.readAll('logs');
    expect(got.map((r) => parse(r.data)[0]!.n).sort((a, b) => a - b)).toEqual(range(1200));
    for (let p = 0; p < 7; p++) {
      const mine = got.filter((r) => r.partitionKey === `pod-${p}`);
      expect(new Set(mine.map((r) => r.shard)).size).toBe(1);
      expect(mine.map((r) => parse(r.data)[0]!.n)).toEqual(range(1200).filter((n) => n % 7 === p));
    }
    const { out: agg } = await kinesis(front.url, [['stream', 'agg'], ['aggregation', 'on']], kinesisOutput);
    await deliver(agg, numbered(500));
    const aggRecs = await k.readAll('agg');
    expect(aggRecs.length).toBeGreaterThan(0);
    expect(aggRecs.every((r) => r.data.subarray(0, 4).equals(Buffer.from([0xf3, 0x89, 0x9a, 0xc2])))).toBe(true);
    expect(front.signatureFailures).toEqual([]);
  });
});
