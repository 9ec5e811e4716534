import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/engine/types.js';
import { compileMultiline, type MultilineParser } from '../../../src/parsers/multiline/compile.js';
import { MultilineStream } from '../../../src/parsers/multiline/joiner.js';
import { builtinMultiline } from '../../../src/parsers/multiline/registry.js';
import { MULTILINE_BUFFER_LIMIT, type MultilineSpec } from '../../../src/parsers/multiline/spec.js';
import { expectedLogs, sampleLines, TRACE_SAMPLES } from '../../helpers/stack-traces.js';

interface Out { event: LogEvent; tokens: readonly number[] | null }

function run(parsers: MultilineParser[], lines: string[], opts: { key?: string; flushAtEnd?: boolean } = {}): { out: Out[]; stream: MultilineStream<number> } {
  const out: Out[] = [];
  const stream = new MultilineStream<number>(parsers, { key: opts.key ?? 'log' }, (event, tokens) => out.push({ event, tokens: tokens && [...tokens] }));
  lines.forEach((l, i) => stream.push({ time: 1000 + i, record: { [opts.key ?? 'log']: l, n: i } }, i, 0));
  if (opts.flushAtEnd !== false) stream.flush();
  return { out, stream };
}

const ml = (name: string) => builtinMultiline(name)!;

describe('built-in multiline parsers on realistic traces', () => {
  for (const s of TRACE_SAMPLES) {
    it(`${s.parser}: the trace is one record, its neighbours one each`, () => {
      const { out } = run([ml(s.parser)], sampleLines(s));
      expect(out.map((o) => o.event.record.log)).toEqual(expectedLogs(s));
      // the joined record is the first line's: its other fields and its time
      expect(out[1]!.event.record.n).toBe(1);
      expect(out[1]!.event.time).toBe(1001);
      expect(out[1]!.tokens).toEqual(s.trace.map((_, i) => i + 1));
    });
  }

  it('all four parsers on one stream: each trace is found by its own parser', () => {
    const lines = TRACE_SAMPLES.flatMap(sampleLines);
    const { out } = run(['go', 'java', 'python', 'ruby'].map(ml), lines);
    expect(out.map((o) => o.event.record.log)).toEqual(TRACE_SAMPLES.flatMap(expectedLogs));
  });

  it('python: the exception line completes the record at once (no wait for the next line)', () => {
    const s = TRACE_SAMPLES.find((x) => x.parser === 'python')!;
    const { out, stream } = run([ml('python')], s.trace, { flushAtEnd: false });
    expect(out).toHaveLength(1);
    expect(stream.holding).toBe(false);
  });

  it('java: a trace is held until a line that does not continue it, then emitted before that line', () => {
    const s = TRACE_SAMPLES.find((x) => x.parser === 'java')!;
    const { out, stream } = run([ml('java')], s.trace, { flushAtEnd: false });
    expect(out).toHaveLength(0);
    expect(stream.holding).toBe(true);
    expect(stream.heldToken).toBe(0);
  });

  it('flush_timeout: an idle open record is emitted; later continuation lines still join (into a new record)', () => {
    const out: string[] = [];
    const stream = new MultilineStream<number>([ml('java')], { key: 'log' }, (e) => out.push(e.record.log as string));
    stream.push({ time: 1, record: { log: 'java.lang.RuntimeException: x' } }, 0, 0);
    stream.push({ time: 2, record: { log: '\tat a.B.c(B.java:1)' } }, 1, 100);
    expect(stream.flushIdle(4099)).toBe(false);
    expect(stream.flushIdle(4100)).toBe(true);
    expect(out).toEqual(['java.lang.RuntimeException: x\n\tat a.B.c(B.java:1)']);
    stream.push({ time: 3, record: { log: '\tat a.B.d(B.java:2)' } }, 2, 5000);
    stream.push({ time: 4, record: { log: '\tat a.B.e(B.java:3)' } }, 3, 5000);
    stream.push({ time: 5, record: { log: 'next' } }, 4, 5000);
    expect(out.slice(1)).toEqual(['\tat a.B.d(B.java:2)\n\tat a.B.e(B.java:3)', 'next']);
  });

  it('records without the key text pass through and end the open record', () => {
    const out: unknown[] = [];
    const stream = new MultilineStream<number>([ml('java')], { key: 'log' }, (e) => out.push(e.record));
    stream.push({ time: 1, record: { log: 'java.lang.RuntimeException: x' } }, 0, 0);
    stream.push({ time: 2, record: { other: 1 } }, 1, 0);
    expect(out).toEqual([{ log: 'java.lang.RuntimeException: x' }, { other: 1 }]);
  });

  it('a record at the buffer limit is emitted and the next line goes on by itself (nothing lost)', () => {
    let truncated = 0;
    const out: string[] = [];
    const stream = new MultilineStream<number>([ml('java')], { key: 'log', onTruncated: () => truncated++ }, (e) => out.push(e.record.log as string));
    const frame = '\tat ' + 'x'.repeat(1024 * 1024);
    stream.push({ time: 1, record: { log: 'java.lang.RuntimeException: x' } }, 0, 0);
    stream.push({ time: 2, record: { log: frame } }, 1, 0);
    stream.push({ time: 3, record: { log: frame } }, 2, 0);
    stream.flush();
    expect(truncated).toBe(1);
    expect(out).toHaveLength(2);
    expect(out[0]!.length).toBeLessThanOrEqual(MULTILINE_BUFFER_LIMIT);
    expect(out.join('\n')).toBe(['java.lang.RuntimeException: x', frame, frame].join('\n'));
  });
});

describe('user-defined multiline parsers', () => {
  const spec = (over: Partial<MultilineSpec>): MultilineSpec => ({ name: 't', type: 'regex', flushTimeoutMs: 1000, rules: [], ...over });

  it('type regex: Fluent Bit\'s documented example (a dated first line, indented continuation)', () => {
    const p = compileMultiline(spec({ rules: [
      { from: ['start_state'], regex: '/(Dec \\d+ \\d+\\:\\d+\\:\\d+)(.*)/', to: 'cont' },
      { from: ['cont'], regex: '/^\\s+at.*/', to: 'cont' },
    ] }));
    const { out } = run([p], ['single line...', 'Dec 14 06:41:08 Exception in thread "main" java.lang.RuntimeException: Something has gone wrong, aborting!',
      '    at com.myproject.module.MyProject.badMethod(MyProject.java:22)', '    at com.myproject.module.MyProject.main(MyProject.java:6)', 'another line...']);
    expect(out.map((o) => o.event.record.log)).toEqual(['single line...',
      'Dec 14 06:41:08 Exception in thread "main" java.lang.RuntimeException: Something has gone wrong, aborting!\n    at com.myproject.module.MyProject.badMethod(MyProject.java:22)\n    at com.myproject.module.MyProject.main(MyProject.java:6)',
      'another line...']);
  });

  it('type endswith: lines join until one ends with match_string (negate turns it around)', () => {
    const cont = compileMultiline(spec({ type: 'endswith', matchString: '\\', negate: true }));
    const { out } = run([cont], ['a \\', 'b \\', 'c', 'd']);
    expect(out.map((o) => o.event.record.log)).toEqual(['a \\\nb \\\nc', 'd']);
  });

  it('a parser on each line: its fields make the record, key_content names the text', () => {
    const parser = { name: 'p', parse: (t: string) => { const m = /^(\S+) (.*)$/.exec(t); return m ? { time: 5, record: { level: m[1], msg: m[2] } } : null; } };
    const p = compileMultiline(spec({ keyContent: 'msg', rules: [
      { from: ['start_state'], regex: '/^boom/', to: 'cont' },
      { from: ['cont'], regex: '/^  /', to: 'cont' },
    ] }), parser);
    const { out } = run([p], ['ERROR boom', 'x   detail', 'INFO ok']);
    expect(out[0]!.event).toEqual({ time: 5, record: { level: 'ERROR', msg: 'boom\n  detail', n: 0 } });
    expect(out[1]!.event.record).toEqual({ log: 'INFO ok', n: 2 });
  });
});
