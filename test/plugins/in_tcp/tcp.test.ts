import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawValue } from '../../../src/config/types.js';
import type { InputContext, LogEvent } from '../../../src/engine/types.js';
import { tcpInput } from '../../../plugins/in_tcp/index.js';
import type { TcpInput } from '../../../plugins/in_tcp/tcp-input.js';
import { pluginContext, type CapturedContext } from '../../helpers/plugin-context.js';
import { waitFor } from '../in_forward/harness.js';

let input: TcpInput | undefined;
afterEach(async () => {
  await input?.stop();
  input = undefined;
});

async function start(entries: Array<[string, RawValue]> = []): Promise<{ got: LogEvent[]; ctx: CapturedContext; port: number; pause(p: boolean): void }> {
  const base = pluginContext(tcpInput, [['listen', '127.0.0.1'], ['port', '0'], ...entries]);
  const got: LogEvent[] = [];
  let paused = false;
  const ctx: InputContext = { ...base, tag: 'tcp.0', emit: (evs) => (got.push(...evs), !paused), done: () => {}, isPaused: () => paused };
  input = (await tcpInput.create(ctx)) as TcpInput;
  await input.start();
  return { got, ctx: base, port: input.port!, pause: (p) => { paused = p; if (p) input!.pause(); else input!.resume(); } };
}

/** Write the pieces one by one (each its own TCP segment, as far as Node can say), then close. */
async function send(port: number, pieces: Array<string | Buffer>): Promise<void> {
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  for (const p of pieces) {
    s.write(p);
    await new Promise((r) => setImmediate(r));
  }
  s.end();
  await new Promise((r) => s.once('close', r));
}

describe('tcp input', () => {
  it('format json: objects per line, across lines, run together and split across reads; arrays of objects; bad lines skipped with a reason', async () => {
    const t = await start([['source_address_key', 'src']]);
    await send(t.port, [
      '{"health": "check"}\n',
      '{"a":1,"s":"br{ace}s and \\"quotes\\""}{"b":',
      '2}\n[{"c":3},{"d":4}]\n',
      'not json at all\n',
      '{"e":\n  {"nested": [1, 2]}\n}\n',
      '{bad: json}\n',
      Buffer.from('{"u":"é'), Buffer.from(' ✓"}\n'),
      '{"cut":',
    ]);
    await waitFor(() => t.ctx.logs.some((l) => /ended in the middle/.test(String(l.msg))), 'the report of the cut message');
    const recs = t.got.map((e) => { const { src, ...r } = e.record; expect(src).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/); return r; });
    expect(recs).toEqual([{ health: 'check' }, { a: 1, s: 'br{ace}s and "quotes"' }, { b: 2 }, { c: 3 }, { d: 4 }, { e: { nested: [1, 2] } }, { u: 'é ✓' }]);
    expect(t.ctx.counters.get('skipped_messages')).toBe(3);
    expect(t.ctx.logs.some((l) => /not a JSON object/.test(String(l.msg)))).toBe(true);
    expect(t.ctx.logs.some((l) => /not valid JSON/.test(String(l.msg)))).toBe(true);
  });

  it('format none: text split at a separator that may straddle reads; the last piece is kept at close; over-long messages skipped', async () => {
    const t = await start([['format', 'none'], ['separator', '\\r\\n'], ['buffer_size', '1']]);
    await send(t.port, ['one\r', '\ntwo\r\nthr', 'ee\r\n', `${'x'.repeat(3000)}\r\nfour\r\n`, 'last']);
    await waitFor(() => t.got.length === 5, 'five messages');
    expect(t.got.map((e) => e.record.log)).toEqual(['one', 'two', 'three', 'four', 'last']);
    expect(t.ctx.logs.some((l) => /longer than buffer_size \(1024 bytes\)/.test(String(l.msg)))).toBe(true);
  });

  it('stops reading while paused and takes everything in after resuming', async () => {
    const t = await start([['format', 'none']]);
    t.pause(true);
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'p'.repeat(100)}\n`).join('');
    const sending = send(t.port, [lines]);
    await new Promise((r) => setTimeout(r, 150));
    expect(t.got.length).toBeLessThan(20_000);
    t.pause(false);
    await sending;
    await waitFor(() => t.got.length === 20_000, 'every line');
    expect(new Set(t.got.map((e) => e.record.log)).size).toBe(20_000);
  });
});
