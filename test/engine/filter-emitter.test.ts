import { describe, expect, it } from 'vitest';
import type { Chunk, FilterDefinition, LogEvent, OutputDefinition } from '../../src/engine/types.js';
import { eventData } from '../../src/engine/encode-events.js';
import { ConfigErrorList } from '../../src/errors.js';
import { buildPipeline as build, manualInput } from '../helpers/engine-kit.js';

/** The engine hook behind rewrite_tag: a filter's emitter re-injects batches at the top of the pipeline. */

function gateOutput() {
  const got: { tag: string; n: unknown }[] = [];
  let open = false;
  let waiters: (() => void)[] = [];
  const def: OutputDefinition = {
    kind: 'output', name: 'gate', description: '', options: [],
    create: () => ({
      async flush(c: Chunk) {
        if (!open) await new Promise<void>((r) => waiters.push(r));
        for (const e of c.data.toEvents()) got.push({ tag: c.tag, n: e.record.n });
        return { status: 'ok' };
      },
    }),
  };
  return { def, got, open: () => { open = true; waiters.forEach((w) => w()); waiters = []; } };
}

/** Re-emits every record as `re.<tag>` and drops the original; records keep meeting it if it could loop. */
function retagFilter(name = 'em', memBufLimit = 10 * 1024 * 1024) {
  const seen: string[] = [];
  const def: FilterDefinition = {
    kind: 'filter', name: 'retag', description: '', options: [{ key: 'emitter_name', type: 'string', desc: '' }],
    create: (ctx) => {
      const em = ctx.createEmitter!({ name: ctx.options.optStr('emitter_name') ?? name, memBufLimit });
      return {
        filter(evs: LogEvent[], tag: string) {
          seen.push(tag);
          em.emit(evs.map((e) => ({ time: e.time, record: { ...e.record } })), `re.${tag}`, 300 * evs.length / 10);
          return [];
        },
      };
    },
  };
  return { def, seen };
}

const events = (from: number, n: number): LogEvent[] => Array.from({ length: n }, (_, i) => ({ time: 0, record: { n: from + i } }));
const until = async (ok: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const YAML = (inputLimit = '', emitterName = '') => `service:
  flush: 20ms
pipeline:
  inputs:
    - name: manual
      ${inputLimit}
  filters:
    - name: retag
      match: '*'
      ${emitterName}
  outputs:
    - name: gate
      match: '*'
`;

describe('filter emitter (engine hook)', () => {
  it('re-emitted batches run from the top under their new tag, skip the filter that emitted them, and hold the source until delivered', async () => {
    const input = manualInput();
    const out = gateOutput();
    const retag = retagFilter();
    const p = build(YAML(), [input.def, out.def, retag.def]);
    await p.start();
    const done: number[] = [];
    input.state.ctx!.emit(events(0, 3), { tag: 'app', onDone: () => done.push(1) });
    input.state.ctx!.emit(events(3, 2), { tag: 'app', onDone: () => done.push(2) });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toEqual([]); // the copies are not delivered yet: the source's offsets must wait
    out.open();
    await until(() => done.length === 2);
    expect(out.got).toEqual([0, 1, 2, 3, 4].map((n) => ({ tag: 're.app', n })));
    expect(retag.seen).toEqual(['app', 'app']); // never 're.app': no loop
    const em = p.metrics.instances().find((m) => m.id === 'em')!;
    expect(em.kind).toBe('input');
    expect(em.get('records')).toBe(5);
    await until(() => em.get('buffered_bytes') === 0);
    expect((await p.shutdown()).dropped).toBe(0);
  });

  it('an emitter over its own mem_buf_limit pauses the inputs feeding it until it drains; nothing is lost', async () => {
    const input = manualInput();
    const out = gateOutput();
    const retag = retagFilter('em', 1024);
    const p = build(YAML(), [input.def, out.def, retag.def]);
    await p.start();
    const ctx = input.state.ctx!;
    let sent = 0;
    let accepted = true;
    while (accepted && sent < 1000) {
      accepted = ctx.emit(events(sent, 10), { bytes: 10, tag: 'app' });
      sent += 10;
    }
    // the emitter reached its 1 KiB (what the re-emitted records take buffered) although the input's own limit is far
    expect(sent).toBe(10 * Math.ceil(1024 / eventData(events(0, 10)).bytes));
    expect(input.state.paused).toBe(1);
    expect(ctx.isPaused()).toBe(true);
    out.open();
    await until(() => input.state.resumed === 1);
    expect(ctx.isPaused()).toBe(false);
    expect((await p.shutdown()).dropped).toBe(0);
    expect(out.got.map((g) => g.n)).toEqual(Array.from({ length: sent }, (_, i) => i));
  });

  it('refuses an emitter_name that names another instance', async () => {
    const input = manualInput();
    const out = gateOutput();
    const retag = retagFilter();
    const p = build(YAML('alias: src', 'emitter_name: src'), [input.def, out.def, retag.def]);
    const err = await p.build().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigErrorList);
    expect((err as ConfigErrorList).errors[0]!.toLine()).toMatch(/emitter_name 'src' is already the name of another instance/);
  });
});
