import { describe, expect, it } from 'vitest';
import { cutBatches, halves } from '../../../plugins/out_opensearch/batch.js';
import { opensearchConfig } from '../../../plugins/out_opensearch/config.js';
import { BulkEncoder, documentBytes, type EncodedBulk } from '../../../plugins/out_opensearch/encode.js';
import { opensearchOutput } from '../../../plugins/out_opensearch/index.js';
import { compileStrftime } from '../../../src/codec/strftime.js';
import type { RawValue } from '../../../src/config/types.js';
import { encodeEvents, eventData } from '../../../src/engine/encode-events.js';
import type { LogEvent } from '../../../src/engine/types.js';
import { resolvedOptions } from '../../helpers/plugin-context.js';

const T = Date.UTC(2025, 2, 14, 9, 0, 0, 123); // 2025-03-14T09:00:00.123Z

/** An encoder taking events, as the engine hands them over: records as JSON bytes. */
function encoder(entries: Array<[string, RawValue]>) {
  const e = new BulkEncoder(opensearchConfig('os', resolvedOptions(opensearchOutput, [['match', '*'], ...entries]), '/').encode);
  return { encode: (events: LogEvent[], tag: string, now: number): EncodedBulk => e.encode(eventData(events), tag, now) };
}

/** The body as [action, document] pairs. */
function pairs(enc: EncodedBulk): Array<[Record<string, Record<string, unknown>>, Record<string, unknown>]> {
  const lines = enc.body.toString('utf8').split('\n');
  expect(lines.pop()).toBe('');
  const out: Array<[Record<string, Record<string, unknown>>, Record<string, unknown>]> = [];
  for (let i = 0; i < lines.length; i += 2) out.push([JSON.parse(lines[i]!), JSON.parse(lines[i + 1]!)]);
  return out;
}

const ev = (record: Record<string, unknown>, time = T): LogEvent => ({ time, record });

describe('opensearch bulk encoding', () => {
  it('writes a create action per record and the document with @timestamp first (Fluent Bit defaults)', () => {
    const enc = encoder([]).encode([ev({ log: 'hello', n: 1 }), ev({}, T + 1000.5)], 'app', T);
    expect(enc.body.toString()).toBe(
      '{"create":{"_index":"fluent-bit"}}\n{"@timestamp":"2025-03-14T09:00:00.123Z","log":"hello","n":1}\n' +
      '{"create":{"_index":"fluent-bit"}}\n{"@timestamp":"2025-03-14T09:00:01.123Z"}\n');
    const first = '{"create":{"_index":"fluent-bit"}}\n{"@timestamp":"2025-03-14T09:00:00.123Z","log":"hello","n":1}\n';
    expect(Array.from(enc.starts)).toEqual([0, first.length, enc.body.length]);
  });

  it('keeps a time key the record already has, and formats time_key_format / time_key_nanos', () => {
    const enc = encoder([['time_key', 'ts'], ['time_key_format', '%Y%m%d %H%M%S'], ['time_key_nanos', 'on']])
      .encode([ev({ a: 1 }, T + 0.25), ev({ ts: 'mine' })], 't', T);
    const [[, d1], [, d2]] = pairs(enc);
    expect(d1).toEqual({ ts: '20250314 090000.123250000Z', a: 1 });
    expect(d2).toEqual({ ts: 'mine' });
  });

  it('names logstash_format indices by the record time, with prefix, separator and prefix key', () => {
    const e = encoder([['logstash_format', 'on'], ['logstash_prefix', 'app'], ['logstash_prefix_separator', '_'],
      ['logstash_prefix_key', "$kubernetes['namespace_name']"], ['logstash_dateformat', '%Y.%m.%d.%H']]);
    const day2 = Date.UTC(2025, 2, 15, 23, 59, 59, 999);
    const enc = e.encode([ev({ kubernetes: { namespace_name: 'shop' } }), ev({ x: 1 }, day2), ev({ kubernetes: { namespace_name: 'web' } }, day2)], 't', T);
    expect(pairs(enc).map(([a]) => a.create!._index)).toEqual(['shop_2025.03.14.09', 'app_2025.03.15.23', 'web_2025.03.15.23']);
    expect(enc.indices).toEqual(['shop_2025.03.14.09', 'app_2025.03.15.23', 'web_2025.03.15.23']);
  });

  it('current_time_index names the index by the time of sending; % in index uses it too; $ in index reads the record', () => {
    const now = Date.UTC(2030, 0, 2);
    expect(pairs(encoder([['logstash_format', 'on'], ['current_time_index', 'on']]).encode([ev({})], 't', now))[0]![0].create!._index).toBe('logstash-2030.01.02');
    expect(pairs(encoder([['index', 'logs-%Y.%m']]).encode([ev({})], 't', now))[0]![0].create!._index).toBe('logs-2030.01');
    const tpl = encoder([['index', "k8s-$kubernetes['namespace_name']"]]).encode([ev({ kubernetes: { namespace_name: 'shop' } }), ev({})], 't', now);
    expect(pairs(tpl).map(([a]) => a.create!._index)).toEqual(['k8s-shop', "k8s-$kubernetes['namespace_name']"]);
  });

  it('include_tag_key adds the tag under tag_key (default flb-key)', () => {
    expect(pairs(encoder([['include_tag_key', 'on']]).encode([ev({ a: 1 })], 'kube.var.log', T))[0]![1]).toEqual({ '@timestamp': '2025-03-14T09:00:00.123Z', a: 1, 'flb-key': 'kube.var.log' });
    expect(pairs(encoder([['include_tag_key', 'on'], ['tag_key', 'tag']]).encode([ev({})], 'x', T))[0]![1]).toEqual({ '@timestamp': '2025-03-14T09:00:00.123Z', tag: 'x' });
  });

  it('id_key takes _id from the record; generate_id hashes the document (same record, same id)', () => {
    const byKey = pairs(encoder([['id_key', "$meta['id']"], ['write_operation', 'index']]).encode([ev({ meta: { id: 'abc' } }), ev({ meta: { id: 7 } }), ev({})], 't', T));
    expect(byKey.map(([a]) => a.index)).toEqual([{ _index: 'fluent-bit', _id: 'abc' }, { _index: 'fluent-bit', _id: '7' }, { _index: 'fluent-bit' }]);
    const gen = encoder([['generate_id', 'on']]);
    const a = pairs(gen.encode([ev({ m: 'same' }), ev({ m: 'same' }), ev({ m: 'other' })], 't', T)).map(([x]) => x.create!._id as string);
    const again = pairs(gen.encode([ev({ m: 'same' })], 't', T))[0]![0].create!._id;
    expect(a[0]).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(a[1]).toBe(a[0]);
    expect(again).toBe(a[0]);
    expect(a[2]).not.toBe(a[0]);
  });

  it('update and upsert wrap the document; a record without an id is set apart, not sent', () => {
    const up = encoder([['write_operation', 'upsert'], ['id_key', 'id']]).encode([ev({ id: 'x', v: 1 }), ev({ v: 2 })], 't', T);
    expect(pairs(up)).toEqual([[{ update: { _index: 'fluent-bit', _id: 'x' } }, { doc_as_upsert: true, doc: { '@timestamp': '2025-03-14T09:00:00.123Z', id: 'x', v: 1 } }]]);
    expect(up.rejected).toHaveLength(1);
    expect(up.rejected[0]!.reason).toMatch(/needs an _id/);
    const upd = encoder([['write_operation', 'update'], ['id_key', 'id']]).encode([ev({ id: 'y' })], 't', T);
    expect(pairs(upd)[0]).toEqual([{ update: { _index: 'fluent-bit', _id: 'y' } }, { doc: { '@timestamp': '2025-03-14T09:00:00.123Z', id: 'y' } }]);
  });

  it('replace_dots renames dotted keys at every level, in the shared kubernetes map too', () => {
    const kube = { labels: { 'app.kubernetes.io/name': 'web' }, pod_name: 'p' };
    const enc = encoder([['replace_dots', 'on']]).encode([ev({ 'a.b': { 'c.d': [{ 'e.f': 1 }] }, kubernetes: kube }), ev({ plain: 1, kubernetes: kube })], 't', T);
    const docs = pairs(enc).map(([, d]) => d);
    expect(docs[0]).toEqual({ '@timestamp': '2025-03-14T09:00:00.123Z', a_b: { c_d: [{ e_f: 1 }] }, kubernetes: { labels: { 'app_kubernetes_io/name': 'web' }, pod_name: 'p' } });
    expect(docs[1]!.kubernetes).toEqual({ labels: { 'app_kubernetes_io/name': 'web' }, pod_name: 'p' });
    expect(kube.labels).toEqual({ 'app.kubernetes.io/name': 'web' }); // the record is not changed
  });

  it('splices the shared kubernetes map and leaves the record as it was', () => {
    const kube = { pod_name: 'p', namespace_name: 'n' };
    const recs = [{ log: 'a', kubernetes: kube, stream: 'stdout' }, { log: 'b', kubernetes: kube }];
    const enc = encoder([]).encode(recs.map((r) => ev(r)), 't', T);
    expect(pairs(enc).map(([, d]) => d)).toEqual([
      { '@timestamp': '2025-03-14T09:00:00.123Z', log: 'a', stream: 'stdout', kubernetes: kube },
      { '@timestamp': '2025-03-14T09:00:00.123Z', log: 'b', kubernetes: kube },
    ]);
    expect(recs[0]).toEqual({ log: 'a', kubernetes: kube, stream: 'stdout' });
    expect(Object.keys(recs[0]!)).toEqual(['log', 'kubernetes', 'stream']);
  });

  it('sends _type only with suppress_type_name off', () => {
    expect(pairs(encoder([]).encode([ev({})], 't', T))[0]![0]).toEqual({ create: { _index: 'fluent-bit' } });
    expect(pairs(encoder([['suppress_type_name', 'off']]).encode([ev({})], 't', T))[0]![0]).toEqual({ create: { _index: 'fluent-bit', _type: '_doc' } });
    expect(pairs(encoder([['suppress_type_name', 'off'], ['type', 'log']]).encode([ev({})], 't', T))[0]![0]).toEqual({ create: { _index: 'fluent-bit', _type: 'log' } });
  });

  it('gives byte offsets for non-ASCII text; a record that cannot be serialized never reaches a buffer', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const events = [ev({ m: 'héllo 世界 🎉' }), ev(circular), ev({ m: 'après' })];
    const buffered = encodeEvents(events);
    expect(buffered.unencodable).toMatchObject({ count: 1, reason: expect.stringMatching(/circular/i) });
    const enc = encoder([]).encode([events[0]!, events[2]!], 't', T);
    expect(enc.positions).toEqual([0, 1]);
    expect(enc.rejected).toEqual([]);
    expect(enc.starts[2]).toBe(enc.body.length);
    expect(JSON.parse(documentBytes(enc, 0).toString()).m).toBe('héllo 世界 🎉');
    expect(JSON.parse(documentBytes(enc, 1).toString()).m).toBe('après');
  });
});

describe('the pooled NDJSON buffer', () => {
  const big = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ev({ log: `${tag} ${i} ${'x'.repeat(300)}`, kubernetes: { pod_name: 'p' } }));

  it('grows past its first size without losing a byte, and offsets stay exact', () => {
    const enc = encoder([]).encode(big(5000, 'a'), 't', T); // ~2 MB, past the 1 MiB first buffer
    expect(enc.body.length).toBeGreaterThan(1024 * 1024);
    expect(enc.starts[5000]).toBe(enc.body.length);
    expect(JSON.parse(documentBytes(enc, 4999).toString()).log).toBe(`a 4999 ${'x'.repeat(300)}`);
    expect(pairs(enc)).toHaveLength(5000);
  });

  it('a chunk still being sent keeps its bytes while the next one is encoded; a released buffer serves the next chunk', () => {
    const e = encoder([]);
    const first = e.encode(big(10, 'first'), 't', T);
    const copy = Buffer.from(first.body);
    const second = e.encode(big(10, 'second'), 't', T);
    expect(first.body.equals(copy)).toBe(true);
    first.release();
    first.release(); // twice is harmless
    const third = e.encode(big(10, 'third'), 't', T);
    expect(third.body.buffer).toBe(first.body.buffer);
    expect(pairs(second).map(([, d]) => String(d.log).split(' ')[0])).toEqual(Array(10).fill('second'));
    expect(pairs(third).map(([, d]) => String(d.log).split(' ')[0])).toEqual(Array(10).fill('third'));
  });
});

describe('cutting requests under batch_size', () => {
  it('cuts consecutive runs under the cap and sets apart a record alone over it', () => {
    const starts = Uint32Array.from([0, 10, 20, 120, 130, 140, 150]);
    expect(cutBatches(starts, 25)).toEqual({ ranges: [{ from: 0, to: 2 }, { from: 3, to: 5 }, { from: 5, to: 6 }], oversize: [2] });
    expect(cutBatches(starts, 1000)).toEqual({ ranges: [{ from: 0, to: 6 }], oversize: [] });
    expect(halves({ from: 2, to: 7 })).toEqual([{ from: 2, to: 4 }, { from: 4, to: 7 }]);
    expect(halves({ from: 2, to: 3 })).toBeUndefined();
  });
});

describe('strftime', () => {
  it('formats in UTC', () => {
    const t = Date.UTC(2025, 0, 5, 3, 4, 5);
    expect(compileStrftime('%Y.%m.%d %H:%M:%S %j %a %b %y %e %I%p %F %T %% %Q')(t)).toBe('2025.01.05 03:04:05 005 Sun Jan 25  5 03AM 2025-01-05 03:04:05 % %Q');
  });
});
