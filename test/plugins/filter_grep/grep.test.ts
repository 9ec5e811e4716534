import { describe, expect, it } from 'vitest';
import { grepFilter } from '../../../plugins/filter_grep/index.js';
import type { LogEvent } from '../../../src/engine/types.js';
import type { RawValue } from '../../../src/config/types.js';
import { pluginContext } from '../../helpers/plugin-context.js';

const recs: Record<string, unknown>[] = [
  { log: 'GET /health 200', kubernetes: { namespace_name: 'kube-system' }, level: 'info' },
  { log: 'POST /api 500', kubernetes: { namespace_name: 'shop' }, level: 'error' },
  { log: 'GET /api 200', kubernetes: { namespace_name: 'shop' }, level: 'info', code: 200 },
  { msg: 'no log key' },
];

async function run(entries: Array<[string, RawValue]>): Promise<Record<string, unknown>[]> {
  const f = await grepFilter.create(pluginContext(grepFilter, [['match', '*'], ...entries]));
  const events: LogEvent[] = recs.map((r, i) => ({ time: i, record: r }));
  return (await f.filter(events, 't')).map((e) => e.record);
}

describe('grep filter', () => {
  it('keeps records whose key matches regex', async () => {
    expect(await run([['regex', 'log ^GET']])).toEqual([recs[0], recs[2]]);
  });

  it('drops records whose key matches exclude, and reads record accessors', async () => {
    expect(await run([['exclude', "$kubernetes['namespace_name'] ^kube-"]])).toEqual([recs[1], recs[2], recs[3]]);
  });

  it('legacy: every regex must match and no exclude may', async () => {
    expect(await run([['regex', 'log ^GET'], ['exclude', 'log health']])).toEqual([recs[2]]);
  });

  it('logical_op or / and combine rules of one kind', async () => {
    expect(await run([['regex', ['level error', 'log health']], ['logical_op', 'or']])).toEqual([recs[0], recs[1]]);
    expect(await run([['regex', ['level info', 'log api']], ['logical_op', 'and']])).toEqual([recs[2]]);
    expect(await run([['exclude', ['level info', 'log api']], ['logical_op', 'and']])).toEqual([recs[0], recs[1], recs[3]]);
  });

  it('matches non-string values by their text', async () => {
    expect(await run([['regex', 'code ^200$']])).toEqual([recs[2]]);
  });

  it('refuses mixing regex and exclude under and/or, and malformed rules', async () => {
    await expect(async () => grepFilter.create(pluginContext(grepFilter, [['match', '*'], ['regex', 'a b'], ['exclude', 'c d'], ['logical_op', 'and']])))
      .rejects.toThrow(/cannot mix 'regex' and 'exclude'/);
    await expect(async () => grepFilter.create(pluginContext(grepFilter, [['match', '*'], ['regex', 'log (unclosed']])))
      .rejects.toThrow(/invalid regular expression/);
  });
});
