import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeEngine, until } from './fake-context.js';
import { useTailHarness } from './harness.js';

const tail = useTailHarness();
const run = tail.run;

describe('tail: plain lines', () => {
  it('reads lines from head with path_key, offset_key and an expanded tag', async () => {
    const file = join(tail.dir, 'app.log');
    writeFileSync(file, 'one\r\ntwo\n\nthree\n');
    const e = await run({ path: join(tail.dir, '*.log'), path_key: 'file', offset_key: 'off', exit_on_eof: 'on' }, { tag: 'app.*' });
    await until(() => e.doneCalls === 1, 3000, 'exit_on_eof');
    expect(e.received.map((r) => r.event.record)).toEqual([
      { log: 'one', file, off: 0 },
      { log: 'two', file, off: 5 },
      { log: '', file, off: 9 },
      { log: 'three', file, off: 10 },
    ]);
    expect(new Set(e.received.map((r) => r.tag))).toEqual(new Set([`app.${tail.dir.slice(1).replaceAll('/', '.')}.app.log`]));
    const t = e.received[0]!.event.time;
    expect(Math.abs(t - Date.now())).toBeLessThan(5000);
  });

  it('skips empty lines when asked and uses the key option', async () => {
    writeFileSync(join(tail.dir, 'a.log'), 'a\n\n\r\nb\n');
    const e = await run({ path: join(tail.dir, 'a.log'), skip_empty_lines: 'on', key: 'message', exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    expect(e.lines('message')).toEqual(['a', 'b']);
  });

  it('turns invalid UTF-8 into U+FFFD and keeps reading', async () => {
    writeFileSync(join(tail.dir, 'bad.log'), Buffer.concat([Buffer.from('ok '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\nnext é\n')]));
    const e = await run({ path: join(tail.dir, 'bad.log'), exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    expect(e.lines()).toEqual(['ok \ufffd\ufffd\ufffd', 'next é']);
  });

  it('starts at the end without read_from_head, then follows appends, including a line written in pieces', async () => {
    const file = join(tail.dir, 'live.log');
    writeFileSync(file, 'old 1\nold 2\n');
    const e = await run({ path: file, read_from_head: 'off' });
    appendFileSync(file, 'new 1\nnew');
    await until(() => e.received.length === 1);
    appendFileSync(file, ' 2\n');
    await until(() => e.received.length === 2);
    expect(e.lines()).toEqual(['new 1', 'new 2']);
  });

  it('applies the parser option, keeping unmatched lines as text', async () => {
    writeFileSync(join(tail.dir, 'j.log'), '{"level":"info","n":1}\nplain\n');
    const e = await run({ path: join(tail.dir, 'j.log'), parser: 'json', exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    expect(e.received.map((r) => r.event.record)).toEqual([{ level: 'info', n: 1 }, { log: 'plain' }]);
  });

  it('exit_on_eof emits a last line that has no newline', async () => {
    writeFileSync(join(tail.dir, 'n.log'), 'a\nb');
    const e = await run({ path: join(tail.dir, 'n.log'), exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    expect(e.lines()).toEqual(['a', 'b']);
  });

  it('reports a parser that is not defined as a config error', async () => {
    await expect(new FakeEngine().create({ path: '/x', parser: 'nope' })).rejects.toThrow(/parser 'nope' is not defined/);
    await expect(new FakeEngine().create({ path: '/x', 'multiline.parser': 'cobol' })).rejects.toThrow(/multiline.parser 'cobol' is not defined/);
  });
});
