import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordModifierFilter } from '../../../plugins/filter_record_modifier/index.js';
import { loadConfig } from '../../../src/config/load.js';
import type { RawValue } from '../../../src/config/types.js';
import type { LogEvent } from '../../../src/engine/types.js';
import { tempDir } from '../../helpers/cli.js';
import { pluginContext } from '../../helpers/plugin-context.js';

async function run(records: Record<string, unknown>[], entries: Array<[string, RawValue]>): Promise<Record<string, unknown>[]> {
  const f = await recordModifierFilter.create(pluginContext(recordModifierFilter, [['match', '*'], ...entries]));
  const out = await f.filter(records.map((r): LogEvent => ({ time: 0, record: { ...r } })), 't');
  return out.map((e) => e.record);
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('record_modifier filter', () => {
  it('record appends fields in the order written; a quoted value keeps its spaces', async () => {
    const out = await run([{ log: 'x' }], [['record', ['hostname node-1', 'product "Awesome Widget"', 'esc "say \\"hi\\""']]]);
    expect(out).toEqual([{ log: 'x', hostname: 'node-1', product: 'Awesome Widget', esc: 'say "hi"' }]);
    expect(Object.keys(out[0]!)).toEqual(['log', 'hostname', 'product', 'esc']);
  });

  it('record replaces a key already there and moves it to the end (Fluent Bit appends it; the last one wins)', async () => {
    const out = await run([{ a: '1', b: '2' }], [['record', 'a 3']]);
    expect(out).toEqual([{ b: '2', a: '3' }]);
    expect(Object.keys(out[0]!)).toEqual(['b', 'a']);
  });

  it('record values come with ${ENV} expanded by the config loader', async () => {
    const file = join(tempDir(), 'w.yaml');
    writeFileSync(file, `pipeline:
  inputs:
    - name: dummy
  filters:
    - name: record_modifier
      match: '*'
      record:
        - hostname \${HOSTNAME}
        - cluster \${CLUSTER:-dev}
  outputs:
    - name: null
      match: '*'
`);
    const { config, errors } = loadConfig(file, { env: { HOSTNAME: 'ip-10-0-0-1' } });
    expect(errors.map((e) => e.toLine())).toEqual([]);
    const fc = config!.filters[0]!;
    const f = await recordModifierFilter.create({ ...pluginContext(recordModifierFilter, [['match', '*']]), options: fc.options });
    expect((await f.filter([{ time: 0, record: { log: 'x' } }], 't'))[0]!.record).toEqual({ log: 'x', hostname: 'ip-10-0-0-1', cluster: 'dev' });
  });

  it('remove_key removes keys case-insensitively; a trailing * removes a prefix', async () => {
    const out = await run([{ Log: 'x', user: 'u', 'kube.pod': 'p', 'kube.ns': 'n', kubelet: 'k', keep: 1 }], [['remove_key', ['log', 'USER', 'kube.*']]]);
    expect(out).toEqual([{ kubelet: 'k', keep: 1 }]);
  });

  it('allowlist_key keeps only the listed keys (and prefixes); record and uuid_key fields stay', async () => {
    const out = await run([{ log: 'x', Stream: 'stdout', 'k8s.a': 1, 'k8s.b': 2, other: 3 }], [['allowlist_key', ['log', 'stream', 'k8s.*']], ['record', 'added yes'], ['uuid_key', 'id']]);
    expect(out).toHaveLength(1);
    const { id, ...rest } = out[0]!;
    expect(rest).toEqual({ log: 'x', Stream: 'stdout', 'k8s.a': 1, 'k8s.b': 2, added: 'yes' });
    expect(id).toMatch(UUID_V4);
  });

  it('whitelist_key is allowlist_key', async () => {
    expect(await run([{ a: 1, b: 2, c: 3 }], [['whitelist_key', ['a', 'c']]])).toEqual([{ a: 1, c: 3 }]);
    expect(await run([{ a: 1, b: 2, c: 3 }], [['whitelist_key', 'a'], ['allowlist_key', 'b']])).toEqual([{ a: 1, b: 2 }]);
  });

  it('uuid_key adds a distinct v4 UUID to every record', async () => {
    const out = await run([{ n: 1 }, { n: 2 }, { n: 3 }], [['uuid_key', 'uuid']]);
    const ids = out.map((r) => r.uuid as string);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(3);
    expect(out.map((r) => r.n)).toEqual([1, 2, 3]);
  });

  it('drops a record left with no keys, as Fluent Bit does', async () => {
    expect(await run([{ a: 1 }, { b: 2 }, {}], [['allowlist_key', 'b']])).toEqual([{ b: 2 }]);
    expect(await run([{ a: 1 }], [['remove_key', '*'], ['record', 'only me']])).toEqual([{ only: 'me' }]);
  });

  it('leaves records alone with no options', async () => {
    expect(await run([{ a: 1 }], [])).toEqual([{ a: 1 }]);
  });

  it('refuses remove_key with allowlist_key, and a record without a value or with unquoted spaces', async () => {
    const make = (entries: Array<[string, RawValue]>) => Promise.resolve().then(() => recordModifierFilter.create(pluginContext(recordModifierFilter, [['match', '*'], ...entries])));
    await expect(make([['remove_key', 'a'], ['allowlist_key', 'b']])).rejects.toThrow(/remove_key and allowlist_key \(whitelist_key\) cannot be used together/);
    await expect(make([['record', 'lonely']])).rejects.toThrow(/'record' expects KEY VALUE, got 'lonely'/);
    const err = await make([['record', 'msg hello world']]).catch((e: unknown) => e as Error & { toLine(): string });
    expect(err.toLine()).toMatch(/test\.yaml:3:1: filter 'record_modifier\.0': 'record' expects KEY VALUE, got 'msg hello world' \(quote a value with spaces/);
  });
});
