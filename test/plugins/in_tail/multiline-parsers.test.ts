import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileMultiline } from '../../../src/parsers/multiline/compile.js';
import { multilineLookupOf } from '../../../src/parsers/multiline/registry.js';
import { expectedLogs, JAVA_EXCEPTION, PYTHON_TRACEBACK, sampleLines, TRACE_SAMPLES } from '../../helpers/stack-traces.js';
import { FakeEngine, FAST, sleep, until } from './fake-context.js';
import { useTailHarness } from './harness.js';

const tail = useTailHarness();

/** CRI lines of `lines` on `stream`, timestamps a millisecond apart; a line longer than `split` is cut into P parts. */
function cri(lines: string[], stream: 'stdout' | 'stderr', t0: number, split = Infinity): string[] {
  const out: string[] = [];
  lines.forEach((l, i) => {
    const ts = new Date(t0 + i).toISOString().replace('Z', '123456Z');
    for (let at = 0; l.length - at > split; at += split) out.push(`${ts} ${stream} P ${l.slice(at, at + split)}`);
    out.push(`${ts} ${stream} F ${l.slice(Math.floor(Math.max(0, l.length - 1) / split) * split)}`);
  });
  return out;
}

describe('tail multiline.parser go|java|python|ruby on plain lines', () => {
  for (const s of TRACE_SAMPLES) {
    it(`${s.parser}: the trace is one record, from the first line's offset`, async () => {
      const path = join(tail.dir, `${s.parser}.log`);
      writeFileSync(path, sampleLines(s).join('\n') + '\n');
      const e = await tail.run({ path, exit_on_eof: 'on', 'multiline.parser': s.parser, offset_key: 'offset' });
      await until(() => e.doneCalls === 1);
      expect(e.lines()).toEqual(expectedLogs(s));
      expect(e.received[1]!.event.record.offset).toBe(s.before.length + 1);
    });
  }
});

describe('tail multiline.parser cri, java: CRI lines rejoined, then the trace joined', () => {
  it('a trace on stderr, split across CRI partial lines and interleaved with stdout lines, is one record', async () => {
    const path = join(tail.dir, 'app.log');
    const t0 = Date.parse('2025-03-14T09:12:44Z');
    // the exception line is long: the runtime wrote it as P parts
    const trace = [...JAVA_EXCEPTION.trace];
    trace[0] = `${trace[0]} ${'(details) '.repeat(40)}`.trimEnd();
    const err = cri(trace, 'stderr', t0 + 10, 64);
    const out = cri(['GET /invoices 200', 'GET /health 200', 'GET /orders 200'], 'stdout', t0 + 11);
    // stdout lines land between the stderr ones, as they do in a container log
    const file = [...cri([JAVA_EXCEPTION.before], 'stdout', t0), ...err.slice(0, 3), out[0]!, ...err.slice(3, 9), out[1]!, ...err.slice(9), out[2]!,
      ...cri([JAVA_EXCEPTION.after], 'stderr', t0 + 30)];
    writeFileSync(path, file.join('\n') + '\n');
    const e = await tail.run({ path, exit_on_eof: 'on', 'multiline.parser': 'cri, java' });
    await until(() => e.doneCalls === 1);
    const recs = e.received.map((r) => r.event.record);
    const joined = recs.filter((r) => r.stream === 'stderr').map((r) => r.log);
    expect(joined).toEqual([trace.join('\n'), JAVA_EXCEPTION.after]);
    expect(recs.filter((r) => r.stream === 'stdout').map((r) => r.log)).toEqual([JAVA_EXCEPTION.before, 'GET /invoices 200', 'GET /health 200', 'GET /orders 200']);
    // the record keeps the first line's CRI time
    const rec = e.received.find((r) => r.event.record.log === trace.join('\n'))!;
    expect(rec.event.record.time).toBe(new Date(t0 + 10).toISOString().replace('Z', '123456Z'));
    expect(rec.event.time).toBeCloseTo(t0 + 10 + 0.123456, 5);
  });

  it('docker json-file lines: the trace rejoined from docker partial lines too', async () => {
    const path = join(tail.dir, 'd.log');
    const s = PYTHON_TRACEBACK;
    const lines = sampleLines(s).flatMap((l, i) => {
      const time = `2025-03-14T09:12:44.${String(i).padStart(9, '0')}Z`;
      if (l.length < 40) return [JSON.stringify({ log: `${l}\n`, stream: 'stderr', time })];
      return [JSON.stringify({ log: l.slice(0, 30), stream: 'stderr', time }), JSON.stringify({ log: `${l.slice(30)}\n`, stream: 'stderr', time })];
    });
    writeFileSync(path, lines.join('\n') + '\n');
    const e = await tail.run({ path, exit_on_eof: 'on', 'multiline.parser': 'docker, python' });
    await until(() => e.doneCalls === 1);
    expect(e.lines()).toEqual(expectedLogs(s));
  });
});

describe('tail multiline.parser: timing and offsets', () => {
  const quick = multilineLookupOf(new Map([['quick_java', compileMultiline({
    name: 'quick_java', type: 'regex', flushTimeoutMs: 150,
    rules: [
      { from: ['start_state'], regex: '/Exception: /', to: 'frames' },
      { from: ['frames'], regex: '/^\\s+at /', to: 'frames' },
    ],
  })]]));

  it('an open record is emitted after its parser\'s flush_timeout of silence, not before', async () => {
    const path = join(tail.dir, 'a.log');
    writeFileSync(path, 'java.lang.RuntimeException: boom\n\tat a.B.c(B.java:1)\n');
    const e = await tail.run({ path, 'multiline.parser': 'quick_java' }, { multiline: quick });
    await sleep(60);
    expect(e.received).toHaveLength(0);
    await until(() => e.received.length === 1, 3000);
    expect(e.lines()).toEqual(['java.lang.RuntimeException: boom\n\tat a.B.c(B.java:1)']);
  });

  it('a restart with the db reads a record that was held (not emitted) again, whole', async () => {
    const path = join(tail.dir, 'a.log');
    const db = join(tail.dir, 'tail.db');
    writeFileSync(path, `${JAVA_EXCEPTION.before}\n${JAVA_EXCEPTION.trace.join('\n')}\n`);
    const first = new FakeEngine();
    await first.create({ ...FAST, read_from_head: 'on', path, db, 'multiline.parser': 'java' });
    await first.instance.start();
    await until(() => first.batches.length > 0 && first.batches.every((b) => b.done));
    await sleep(100);
    expect(first.lines()).toEqual([JAVA_EXCEPTION.before]); // the trace is still held: nothing after its first line is committed
    await first.stop();
    appendFileSync(path, `${JAVA_EXCEPTION.after}\n`);
    const second = new FakeEngine();
    await second.create({ ...FAST, path, db, 'multiline.parser': 'java' });
    await second.instance.start();
    await until(() => second.received.length === 2);
    await sleep(100);
    expect(second.lines()).toEqual([JAVA_EXCEPTION.trace.join('\n'), JAVA_EXCEPTION.after]);
    await second.stop();
  });

  it('an unknown multiline.parser name is a config error naming the choices', async () => {
    await expect(new FakeEngine().create({ path: join(tail.dir, 'x.log'), 'multiline.parser': 'cri, jav' })).rejects.toThrow(/multiline\.parser 'jav' is not defined; did you mean 'java'\?/);
  });
});
