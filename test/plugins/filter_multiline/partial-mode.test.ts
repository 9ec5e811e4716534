import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/engine/types.js';
import { pipeline, until } from './pipeline-kit.js';

const FILTER = `    - name: multiline
      match: '*'
      mode: partial_message
      multiline.key_content: log
      flush_ms: 100
`;

/** A line the way Docker's fluentd log driver sends one it split at 16 KiB: parts with partial_* fields. */
function split(id: string, text: string, size: number, extra: Record<string, unknown> = {}): LogEvent[] {
  const parts: LogEvent[] = [];
  for (let at = 0, n = 1; at < text.length; at += size, n++) {
    const last = at + size >= text.length;
    parts.push({ time: 2000 + n, record: { container_id: 'c0ffee', container_name: '/api', source: 'stdout', log: text.slice(at, at + size),
      partial_message: 'true', partial_id: id, partial_ordinal: String(n), partial_last: String(last), ...extra } });
  }
  return parts;
}

describe('filter multiline, mode partial_message', () => {
  it('joins the parts of a split line into the first part\'s record without the partial_* fields; other records pass', async () => {
    const { p, out, emit } = pipeline(FILTER);
    await p.start();
    const long = JSON.stringify({ level: 'info', items: Array.from({ length: 400 }, (_, i) => `item-${i}`) });
    const a = split('a1', long, 1000);
    const b = split('b2', 'x'.repeat(2500), 1000);
    // parts of two lines interleaved, and a whole line between them
    emit([a[0]!, b[0]!, { time: 1, record: { log: 'short line', source: 'stdout' } }, a[1]!, b[1]!]);
    emit([...a.slice(2), b[2]!]);
    await until(() => out.got.length === 3);
    const recs = out.got.map((g) => g.event);
    expect(recs[0]!.record).toEqual({ log: 'short line', source: 'stdout' });
    const joined = recs.find((r) => (r.record.log as string).startsWith('{'))!;
    expect(JSON.parse(joined.record.log as string).items).toHaveLength(400);
    expect(joined).toEqual({ time: 2001, record: { container_id: 'c0ffee', container_name: '/api', source: 'stdout', log: long } });
    expect(recs.find((r) => r !== joined && r !== recs[0])!.record.log).toBe('x'.repeat(2500));
    expect((await p.shutdown()).dropped).toBe(0);
  });

  it('a message whose last part never comes is let go after flush_ms, and its batches are then done', async () => {
    const { p, out, emit } = pipeline(FILTER);
    await p.start();
    const parts = split('z9', 'y'.repeat(3000), 1000).slice(0, 2);
    let done = false;
    emit(parts, 'app', () => (done = true));
    await until(() => out.got.length === 1 && done, 3000);
    expect(out.got[0]!.event.record.log).toBe('y'.repeat(2000));
    expect(out.got[0]!.event.record.partial_id).toBeUndefined();
    await p.shutdown();
  });

  it('needs multiline.key_content', async () => {
    const { p } = pipeline(`    - name: multiline
      match: '*'
      mode: partial_message
`);
    await expect(p.build()).rejects.toThrow(/mode partial_message needs 'multiline.key_content'/);
  });
});
