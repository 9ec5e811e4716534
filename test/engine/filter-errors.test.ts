import { afterEach, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/engine/types.js';
import { startTestPipeline, type TestPipeline } from '../helpers/test-pipeline.js';

/**
 * A filter error costs only the record(s) the filter cannot handle: they are dropped (counted,
 * logged), the rest of the batch is filtered as usual. Before, the whole batch went on unfiltered,
 * so a grep exclude let its neighbours through.
 */
let tp: TestPipeline | undefined;
afterEach(async () => {
  await tp?.pipeline.shutdown();
  tp = undefined;
});

/** A value JSON.stringify cannot write (nesting deeper than the stack): what made grep throw. */
function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { v };
  return v;
}

describe('a filter that throws on one record', () => {
  it('grep exclude still drops the records it excludes, and only the record it cannot judge is dropped', async () => {
    tp = await startTestPipeline(`service:
  flush: 50ms
pipeline:
  inputs:
    - name: manual
  filters:
    - name: grep
      match: '*'
      exclude: payload secret
  outputs:
    - name: collect
      match: '*'
`);
    const events = [
      { time: 1, record: { n: 1, payload: 'secret' } },
      { time: 2, record: { n: 2, payload: 'ok' } },
      { time: 3, record: { n: 3, payload: deep(20_000) } },
      { time: 4, record: { n: 4, payload: 'secret' } },
      { time: 5, record: { n: 5, payload: 'fine' } },
    ];
    tp.input().emit(events);
    await tp.until(() => tp!.got.length >= 2);
    await new Promise((r) => setTimeout(r, 150));
    expect(tp.got.map((g) => g.record.n)).toEqual([2, 5]);
    expect(tp.counter('grep.0', 'dropped_records')).toBe(1);
    expect(tp.pipeline.droppedRecords).toBe(1);
  });

  it('an asynchronous filter that rejects a batch: re-run one by one, the others kept in order', async () => {
    tp = await startTestPipeline(`service:
  flush: 50ms
pipeline:
  inputs:
    - name: manual
  filters:
    - name: picky
      match: '*'
    - name: modify
      match: '*'
      add: seen yes
  outputs:
    - name: collect
      match: '*'
`, {
      plugins: [{
        kind: 'filter', name: 'picky', description: '', options: [],
        create: () => ({
          filter: async (evs: LogEvent[]) => {
            await new Promise((r) => setTimeout(r, 5));
            if (evs.some((e) => e.record.bad === true)) throw new Error('cannot handle bad records');
            for (const e of evs) e.record.picky = true;
            return evs;
          },
        }),
      }],
    });
    tp.input().emit([{ time: 1, record: { n: 1 } }, { time: 2, record: { n: 2, bad: true } }, { time: 3, record: { n: 3 } }]);
    await tp.until(() => tp!.got.length >= 2);
    await new Promise((r) => setTimeout(r, 150));
    expect(tp.got.map((g) => [g.record.n, g.record.picky, g.record.seen])).toEqual([[1, true, 'yes'], [3, true, 'yes']]);
    expect(tp.counter('picky.0', 'dropped_records')).toBe(1);
  });
});
