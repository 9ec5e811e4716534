import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FakeEngine, until } from './fake-context.js';
import { useTailHarness } from './harness.js';

const tail = useTailHarness();

const MIB = 1024 * 1024;
// 1 MiB of 2-byte characters, so a cut at an odd byte count would split one.
const HUGE = 'é'.repeat(MIB / 2);

function run(options: Record<string, string>): Promise<FakeEngine> {
  const path = join(tail.dir, 'big.log');
  writeFileSync(path, `before\n${HUGE}\nafter\n`);
  return tail.run({ path, buffer_max_size: '32k', ...options });
}

describe('tail: a 1 MiB line under each long-line policy', () => {
  it('skip_long_lines: the line is dropped, counted and logged, the next line read', async () => {
    const e = await run({ skip_long_lines: 'on', exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    expect(e.lines()).toEqual(['before', 'after']);
    expect(e.counters.get('skipped_lines')).toBe(1);
    expect(e.counters.get('skipped_bytes')).toBe(MIB);
    expect(e.logs_('skipped a line longer than buffer_max_size (32K)')[0]).toMatchObject({ offset: 7, dropped_bytes: MIB, kept_bytes: 0 });
  });

  it('truncate_long_lines: the first buffer_max_size bytes are kept at a UTF-8 boundary, the cut is counted', async () => {
    const e = await run({ truncate_long_lines: 'on', buffer_chunk_size: '4k', buffer_max_size: '32001', exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    const lines = e.lines() as string[];
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('before');
    // 32001 bytes backs off to 32000: no half character
    expect(lines[1]!.length === 16000 && lines[1] === 'é'.repeat(16000)).toBe(true);
    expect(lines[2]).toBe('after');
    expect(e.counters.get('truncated_lines')).toBe(1);
    expect(e.counters.get('truncated_bytes')).toBe(MIB - 32000);
    expect(e.logs_('truncated a line')[0]).toMatchObject({ kept_bytes: 32000, dropped_bytes: MIB - 32000 });
  });

  it('neither: the file is no longer read, with an error that says how to fix it', async () => {
    const e = await run({});
    await until(() => e.logs_('no longer read').length === 1);
    expect(e.lines()).toEqual(['before']);
    expect(e.logs_('no longer read')[0]).toMatchObject({ level: 'error', offset: 7 });
    expect(String(e.logs_('no longer read')[0]!.msg)).toMatch(/raise buffer_max_size, or set skip_long_lines or truncate_long_lines on/);
    appendFileSync(join(tail.dir, 'big.log'), 'more\n');
    await new Promise((r) => setTimeout(r, 150));
    expect(e.lines()).toEqual(['before']);
  });

  it('a big enough buffer_max_size delivers the line whole', async () => {
    const e = await run({ buffer_max_size: '2M', exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    const lines = e.lines() as string[];
    expect([lines.length, lines[0], lines[1] === HUGE, lines[2]]).toEqual([3, 'before', true, 'after']);
  });

  it('a long line written slowly, in pieces, is still skipped to its end', async () => {
    const path = join(tail.dir, 'slow.log');
    writeFileSync(path, 'a\n');
    const e = await tail.run({ path, buffer_chunk_size: '1k', buffer_max_size: '1k', skip_long_lines: 'on' });
    await until(() => e.received.length === 1);
    for (let i = 0; i < 5; i++) {
      appendFileSync(path, 'x'.repeat(700));
      await new Promise((r) => setTimeout(r, 30));
    }
    appendFileSync(path, 'x\nb\n');
    await until(() => e.received.length === 2);
    expect(e.lines()).toEqual(['a', 'b']);
    expect(e.counters.get('skipped_bytes')).toBe(3501);
  });
});
