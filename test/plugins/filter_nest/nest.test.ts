import { describe, expect, it } from 'vitest';
import { nestFilter } from '../../../plugins/filter_nest/index.js';
import type { RawValue } from '../../../src/config/types.js';
import type { LogEvent } from '../../../src/engine/types.js';
import { pluginContext } from '../../helpers/plugin-context.js';

async function run(records: Record<string, unknown>[], entries: Array<[string, RawValue]>) {
  const ctx = pluginContext(nestFilter, [['match', '*'], ...entries]);
  const f = await nestFilter.create(ctx);
  const out = await f.filter(records.map((r): LogEvent => ({ time: 0, record: structuredClone(r) })), 't');
  return { records: out.map((e) => e.record), logs: ctx.logs };
}
const records = async (rs: Record<string, unknown>[], entries: Array<[string, RawValue]>) => (await run(rs, entries)).records;

describe('nest filter', () => {
  it('nest: keys matching a wildcard prefix move under nest_under, which comes last; the others keep their order', async () => {
    const out = await records([{ 'Mem.total': 1, log: 'x', 'Mem.used': 2, Memory: 3, 'mem.free': 4 }], [['operation', 'nest'], ['wildcard', 'Mem.*'], ['nest_under', 'Memstats']]);
    expect(out).toEqual([{ log: 'x', Memory: 3, 'mem.free': 4, Memstats: { 'Mem.total': 1, 'Mem.used': 2 } }]);
    expect(Object.keys(out[0]!)).toEqual(['log', 'Memory', 'mem.free', 'Memstats']);
  });

  it('nest: several wildcards, exact names and *; a record with no match is left as it was', async () => {
    expect(await records([{ a: 1, ab: 2, b: 3, c: 4 }], [['operation', 'nest'], ['wildcard', ['a', 'c']], ['nest_under', 'n']])).toEqual([{ ab: 2, b: 3, n: { a: 1, c: 4 } }]);
    expect(await records([{ a: 1, b: 2 }], [['operation', 'nest'], ['wildcard', '*'], ['nest_under', 'all']])).toEqual([{ all: { a: 1, b: 2 } }]);
    const untouched = { x: 1, y: { z: 2 } };
    expect(await records([untouched], [['operation', 'nest'], ['wildcard', 'Mem.*'], ['nest_under', 'm']])).toEqual([untouched]);
  });

  it('nest: an existing key named like nest_under is replaced by the new map', async () => {
    expect(await records([{ data: 'old', d1: 1 }], [['operation', 'nest'], ['wildcard', 'd1'], ['nest_under', 'data']])).toEqual([{ data: { d1: 1 } }]);
  });

  it('nest: add_prefix and remove_prefix rename the nested keys', async () => {
    expect(await records([{ 'Mem.a': 1, b: 2 }], [['operation', 'nest'], ['wildcard', 'Mem.*'], ['nest_under', 'm'], ['add_prefix', 'x_']])).toEqual([{ b: 2, m: { 'x_Mem.a': 1 } }]);
    expect(await records([{ 'Mem.a': 1, 'Mem.b': 2 }], [['operation', 'nest'], ['wildcard', 'Mem.*'], ['nest_under', 'm'], ['remove_prefix', 'Mem.']])).toEqual([{ m: { a: 1, b: 2 } }]);
  });

  it('lift: the keys of the map at nested_under come up last; the other keys keep their order', async () => {
    const out = await records([{ a: 1, kubernetes: { pod: 'p', ns: 'n' }, z: 2 }], [['operation', 'lift'], ['nested_under', 'kubernetes']]);
    expect(out).toEqual([{ a: 1, z: 2, pod: 'p', ns: 'n' }]);
    expect(Object.keys(out[0]!)).toEqual(['a', 'z', 'pod', 'ns']);
  });

  it('lift: add_prefix / remove_prefix rename the lifted keys; a lifted key replaces a top-level one', async () => {
    expect(await records([{ k: { pod: 'p' } }], [['operation', 'lift'], ['nested_under', 'k'], ['add_prefix', 'k8s_']])).toEqual([{ k8s_pod: 'p' }]);
    expect(await records([{ k: { 'k8s.pod': 'p', other: 1 } }], [['operation', 'lift'], ['nested_under', 'k'], ['remove_prefix', 'k8s.']])).toEqual([{ pod: 'p', other: 1 }]);
    const out = await records([{ pod: 'top', x: 1, k: { pod: 'inner' } }], [['operation', 'lift'], ['nested_under', 'k']]);
    expect(out).toEqual([{ x: 1, pod: 'inner' }]);
    expect(Object.keys(out[0]!)).toEqual(['x', 'pod']);
  });

  it('lift: an empty map goes away; no such key, or a value that is not a map, leaves the record alone (warned once)', async () => {
    expect(await records([{ a: 1, k: {} }], [['operation', 'lift'], ['nested_under', 'k']])).toEqual([{ a: 1 }]);
    expect(await records([{ a: 1 }], [['operation', 'lift'], ['nested_under', 'k']])).toEqual([{ a: 1 }]);
    const r = await run([{ k: 'text' }, { k: [1, 2] }], [['operation', 'lift'], ['nested_under', 'k']]);
    expect(r.records).toEqual([{ k: 'text' }, { k: [1, 2] }]);
    expect(r.logs.filter((l) => /is not a map/.test(String(l.msg)))).toHaveLength(1);
  });

  it('nest then lift gives the record back (keys moved last)', async () => {
    const nested = await records([{ a: 1, 'p.x': 2, 'p.y': 3 }], [['operation', 'nest'], ['wildcard', 'p.*'], ['nest_under', 'p'], ['remove_prefix', 'p.']]);
    expect(nested).toEqual([{ a: 1, p: { x: 2, y: 3 } }]);
    expect(await records(nested, [['operation', 'lift'], ['nested_under', 'p'], ['add_prefix', 'p.']])).toEqual([{ a: 1, 'p.x': 2, 'p.y': 3 }]);
  });

  it('refuses a missing operation key, nest without wildcard or nest_under, lift without nested_under, both prefixes', async () => {
    const make = (entries: Array<[string, RawValue]>) => Promise.resolve().then(() => nestFilter.create(pluginContext(nestFilter, [['match', '*'], ...entries])));
    await expect(make([['wildcard', 'a'], ['nest_under', 'n']])).rejects.toThrow(/needs 'operation'/);
    await expect(make([['operation', 'flatten']])).rejects.toThrow(/'operation' expects one of nest, lift, got 'flatten'/);
    await expect(make([['operation', 'nest'], ['nest_under', 'n']])).rejects.toThrow(/operation nest needs 'wildcard'/);
    await expect(make([['operation', 'nest'], ['wildcard', 'a']])).rejects.toThrow(/operation nest needs 'nest_under'/);
    await expect(make([['operation', 'lift']])).rejects.toThrow(/operation lift needs 'nested_under'/);
    await expect(make([['operation', 'lift'], ['nested_under', 'k'], ['add_prefix', 'a'], ['remove_prefix', 'b']])).rejects.toThrow(/add_prefix and remove_prefix cannot be used together/);
  });
});
