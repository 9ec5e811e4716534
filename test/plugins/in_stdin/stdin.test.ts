import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { stdinInput } from '../../../plugins/in_stdin/index.js';
import { StdinInput } from '../../../plugins/in_stdin/stdin-input.js';
import type { InputContext, LogEvent } from '../../../src/engine/types.js';
import { pluginContext } from '../../helpers/plugin-context.js';

describe('stdin input', () => {
  it('reads JSON objects, [time, record] pairs and plain lines until EOF, then finishes', async () => {
    const got: LogEvent[] = [];
    let done = false;
    const base = pluginContext(stdinInput, []);
    const ctx: InputContext = { ...base, tag: 'stdin', emit: (evs) => (got.push(...evs), true), done: () => (done = true), isPaused: () => false };
    const stream = new PassThrough();
    const input = new StdinInput(ctx, stream);
    input.start();
    stream.write('{"a":1}\r\n[1700000000.5, {"b":2}]\nplain te');
    stream.write(Buffer.from([0xc3]));
    stream.end(Buffer.from([0xa9, 0x0a, 0x0a, 0x6e, 0x6f, 0x20, 0x6e, 0x6c])); // "é\n\nno nl": a UTF-8 character split across chunks
    await new Promise((r) => setImmediate(r));
    expect(got.map((e) => e.record)).toEqual([{ a: 1 }, { b: 2 }, { log: 'plain teé' }, { log: 'no nl' }]);
    expect(got[1]!.time).toBe(1700000000500);
    expect(done).toBe(true);
  });
});
