import { describe, expect, it } from 'vitest';
import { modifyFilter } from '../../../plugins/filter_modify/index.js';
import type { RawValue } from '../../../src/config/types.js';
import { pluginContext } from '../../helpers/plugin-context.js';

async function run(record: Record<string, unknown>, entries: Array<[string, RawValue]>): Promise<Record<string, unknown>> {
  const f = await modifyFilter.create(pluginContext(modifyFilter, [['match', '*'], ...entries]));
  const out = await f.filter([{ time: 0, record: { ...record } }], 't');
  return out[0]!.record;
}

describe('modify filter', () => {
  it('set overwrites, add only adds', async () => {
    expect(await run({ a: '1' }, [['set', ['a 2', 'b two words']], ['add', ['a 3', 'c 4']]])).toEqual({ a: '2', b: 'two words', c: '4' });
  });

  it('remove, remove_wildcard, remove_regex', async () => {
    expect(await run({ a: 1, 'Mem.used': 2, 'Mem.free': 3, x_tmp: 4, keep: 5 }, [['remove', 'a'], ['remove_wildcard', 'Mem.*'], ['remove_regex', '_tmp$']])).toEqual({ keep: 5 });
  });

  it('rename keeps an existing target; hard_rename replaces it', async () => {
    expect(await run({ a: 1, b: 2 }, [['rename', 'a b']])).toEqual({ a: 1, b: 2 });
    expect(await run({ a: 1, b: 2 }, [['hard_rename', 'a b']])).toEqual({ b: 1 });
    expect(await run({ a: 1 }, [['rename', 'a c']])).toEqual({ c: 1 });
  });

  it('copy keeps an existing target; hard_copy replaces it', async () => {
    expect(await run({ a: 1, b: 2 }, [['copy', 'a b']])).toEqual({ a: 1, b: 2 });
    expect(await run({ a: 1, b: 2 }, [['hard_copy', 'a b']])).toEqual({ a: 1, b: 1 });
    expect(await run({ a: 1 }, [['copy', 'a c']])).toEqual({ a: 1, c: 1 });
  });

  it('applies rules in the order written', async () => {
    expect(await run({ a: 1 }, [['rename', 'a b'], ['copy', 'b c'], ['remove', 'b']])).toEqual({ c: 1 });
    expect(await run({ a: 1 }, [['remove', 'b'], ['copy', 'a b'], ['rename', 'a z']])).toEqual({ b: 1, z: 1 });
  });

  it('applies rules only when every condition holds', async () => {
    const entries: Array<[string, RawValue]> = [['condition', ['key_value_equals level error', 'key_exists msg']], ['add', 'alert yes']];
    expect(await run({ level: 'error', msg: 'x' }, entries)).toEqual({ level: 'error', msg: 'x', alert: 'yes' });
    expect(await run({ level: 'info', msg: 'x' }, entries)).toEqual({ level: 'info', msg: 'x' });
    expect(await run({ level: 'error' }, entries)).toEqual({ level: 'error' });
  });

  it('move_to_start / move_to_end reorder keys', async () => {
    expect(Object.keys(await run({ a: 1, b: 2, c: 3 }, [['move_to_start', 'c']]))).toEqual(['c', 'a', 'b']);
    expect(Object.keys(await run({ a: 1, b: 2, c: 3 }, [['move_to_end', 'a']]))).toEqual(['b', 'c', 'a']);
  });

  it('says what is wrong with a malformed rule', async () => {
    await expect(async () => modifyFilter.create(pluginContext(modifyFilter, [['match', '*'], ['rename', 'onlyone']])))
      .rejects.toThrow(/'rename' needs a key and a value/);
    await expect(async () => modifyFilter.create(pluginContext(modifyFilter, [['match', '*'], ['condition', 'key_is_cool a']])))
      .rejects.toThrow(/unknown condition 'key_is_cool'/);
  });
});
