import { describe, expect, it } from 'vitest';
import { expectedLogs, GO_PANIC, JAVA_EXCEPTION, sampleLines, TRACE_SAMPLES } from '../../helpers/stack-traces.js';
import { logs, pipeline, until } from './pipeline-kit.js';

const ml = (parser: string, more = '') => `    - name: multiline
      match: '*'
      multiline.key_content: log
      multiline.parser: ${parser}
${more}`;

describe('filter multiline, mode parser, in a pipeline', () => {
  for (const s of TRACE_SAMPLES) {
    it(`${s.parser}: the trace is one record (first line's time and fields), its neighbours one each, in order`, async () => {
      const { p, out, emit } = pipeline(ml(s.parser));
      await p.start();
      emit(logs(sampleLines(s), { stream: 'stderr', pod: 'web-1' }));
      await until(() => out.got.length === 3);
      expect(out.got.map((g) => g.event.record.log)).toEqual(expectedLogs(s));
      expect(out.got[1]!.event).toEqual({ time: 1001, record: { log: s.trace.join('\n'), stream: 'stderr', pod: 'web-1' } });
      expect(out.got.every((g) => g.tag === 'app')).toBe(true);
      expect((await p.shutdown()).dropped).toBe(0);
    });
  }

  it('a trace spread over several batches is joined; each source batch is done only once the record is delivered', async () => {
    const { p, out, emit } = pipeline(ml('java'));
    await p.start();
    const lines = sampleLines(JAVA_EXCEPTION);
    const done: number[] = [];
    emit(logs(lines.slice(0, 3)), 'app', () => done.push(0));
    emit(logs(lines.slice(3, 6)), 'app', () => done.push(1));
    await until(() => out.got.length === 1); // the line before the trace
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toEqual([]); // both batches hold lines of the open trace: offsets must wait
    emit(logs(lines.slice(6)), 'app', () => done.push(2));
    await until(() => out.got.length === 3 && done.length === 3);
    expect(out.got.map((g) => g.event.record.log)).toEqual(expectedLogs(JAVA_EXCEPTION));
    expect((await p.shutdown()).dropped).toBe(0);
  });

  it('an open record is let go after flush_ms without a new line, and then its batch is done', async () => {
    const { p, out, emit } = pipeline(ml('go', '      flush_ms: 100\n'));
    await p.start();
    let done = false;
    emit(logs(GO_PANIC.trace), 'app', () => (done = true));
    await new Promise((r) => setTimeout(r, 40));
    expect(out.got).toHaveLength(0);
    await until(() => out.got.length === 1 && done, 3000, 'the idle flush');
    expect(out.got[0]!.event.record.log).toBe(GO_PANIC.trace.join('\n'));
    expect((await p.shutdown()).dropped).toBe(0);
  });

  it('what is held when Wren stops is let go before the outputs drain (a bounded run loses nothing)', async () => {
    const { p, out, emit } = pipeline(ml('java', '      flush_ms: 60000\n'));
    await p.start();
    emit(logs(JAVA_EXCEPTION.trace));
    await new Promise((r) => setTimeout(r, 50));
    expect(out.got).toHaveLength(0);
    expect((await p.shutdown()).dropped).toBe(0);
    expect(out.got.map((g) => g.event.record.log)).toEqual([JAVA_EXCEPTION.trace.join('\n')]);
  });

  it('tags and container streams are joined apart: stdout lines between trace lines do not break it', async () => {
    const { p, out, emit } = pipeline(ml('java'));
    await p.start();
    const t = JAVA_EXCEPTION.trace;
    emit([
      { time: 1, record: { log: t[0], stream: 'stderr' } },
      { time: 2, record: { log: 'GET /health 200', stream: 'stdout' } },
      { time: 3, record: { log: t[1], stream: 'stderr' } },
      { time: 4, record: { log: 'GET /orders 200', stream: 'stdout' } },
      { time: 5, record: { log: t[2], stream: 'stderr' } },
      { time: 6, record: { log: 'done', stream: 'stderr' } },
    ]);
    emit([{ time: 7, record: { log: t[0] } }, { time: 8, record: { log: t[1] } }], 'other');
    await until(() => out.got.length === 4);
    const app = out.got.filter((g) => g.tag === 'app').map((g) => g.event.record.log);
    expect(app).toEqual(['GET /health 200', 'GET /orders 200', t.slice(0, 3).join('\n'), 'done']);
    await p.shutdown();
    expect(out.got.filter((g) => g.tag === 'other').map((g) => g.event.record.log)).toEqual([t.slice(0, 2).join('\n')]);
  });

  it('joined records continue after the filter (not from the top): an earlier filter sees each line once', async () => {
    const { p, out, emit } = pipeline(`    - name: modify
      match: '*'
      add: seen yes
${ml('python')}    - name: modify
      match: '*'
      add: after yes
`);
    await p.start();
    emit(logs(sampleLines(TRACE_SAMPLES[2]!)));
    await until(() => out.got.length === 3);
    for (const g of out.got) expect(g.event.record).toMatchObject({ seen: 'yes', after: 'yes' });
    // the multiline filter is the second filter: multiline.1 (numbered across the kind, as Fluent Bit)
    expect(p.metrics.instances().find((m) => m.id === 'emitter_for_multiline.1')?.get('records')).toBe(3);
    await p.shutdown();
  });

  it('buffer off: joined within each batch, returned directly (no emitter)', async () => {
    const { p, out, emit } = pipeline(ml('ruby', '      buffer: off\n'));
    await p.start();
    const s = TRACE_SAMPLES[3]!;
    emit(logs(sampleLines(s)));
    await until(() => out.got.length === 3);
    expect(out.got.map((g) => g.event.record.log)).toEqual(expectedLogs(s));
    expect(p.metrics.instances().some((m) => m.id.startsWith('emitter_for'))).toBe(false);
    await p.shutdown();
  });

  it('config errors name the place and the fix', async () => {
    await expect(pipeline(ml('cri')).p.build()).rejects.toThrow(/p\.yaml:\d+:\d+: filter multiline: multiline\.parser 'cri' is a container format the tail input joins \(set multiline\.parser cri on the tail input/);
    await expect(pipeline(ml('jav')).p.build()).rejects.toThrow(/p\.yaml:\d+:\d+: filter multiline: multiline\.parser 'jav' is not defined; did you mean 'java'\?/);
    await expect(pipeline(`    - name: multiline
      match: '*'
`).p.build()).rejects.toThrow(/mode parser needs at least one 'multiline\.parser'/);
  });
});
