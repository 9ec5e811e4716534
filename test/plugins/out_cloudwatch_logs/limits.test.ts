import { afterEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, truncateMessage } from '../../../plugins/out_cloudwatch_logs/encode.js';
import { closeAll, deliver, harness, numbered, range, storedNumbers } from './harness.js';

afterEach(closeAll);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const base: Array<[string, string]> = [['log_group_name', 'app'], ['log_stream_name', 's'], ['auto_create_group', 'on']];

describe('cloudwatch_logs output: PutLogEvents limits', () => {
  it('10,001 events go in two calls, every one exactly once and in order', async () => {
    const { fake, out } = await harness(base);
    const d = await deliver(out, numbered(10_001));
    expect(d.results.at(-1)).toEqual({ status: 'ok' });
    const puts = fake.callsOf('PutLogEvents').filter((c) => c.status === 200);
    expect(puts.map((c) => (c.input.logEvents as unknown[]).length)).toEqual([10_000, 1]);
    expect(storedNumbers(fake, 'app', 's')).toEqual(range(10_001));
    expect(fake.signatureFailures).toEqual([]);
  });

  it('splits a chunk over 1,048,576 bytes (message bytes + 26 per event) into calls under the limit', async () => {
    const { fake, out } = await harness(base);
    // 300,000-byte messages (with multi-byte characters): three fit in a call, four do not
    const events = numbered(7).map((e, i) => ({ ...e, record: { n: i, pad: 'é'.repeat(149_950) } }));
    await deliver(out, events);
    const puts = fake.callsOf('PutLogEvents').filter((c) => c.status === 200);
    expect(puts.map((c) => (c.input.logEvents as unknown[]).length)).toEqual([3, 3, 1]);
    for (const c of puts) {
      const bytes = (c.input.logEvents as Array<{ message: string }>).reduce((s, e) => s + Buffer.byteLength(e.message) + 26, 0);
      expect(bytes).toBeLessThanOrEqual(1_048_576);
    }
    expect(storedNumbers(fake, 'app', 's')).toEqual(range(7));
  });

  it('never lets one call span 24 hours', async () => {
    const { fake, out } = await harness(base);
    const now = Date.now();
    const events = [0, 1, 2, 3].map((i) => ({ time: now - 40 * HOUR + i * 13 * HOUR, record: { n: i } }));
    await deliver(out, events);
    const puts = fake.callsOf('PutLogEvents').filter((c) => c.status === 200);
    expect(puts.map((c) => (c.input.logEvents as unknown[]).length)).toEqual([2, 2]);
    expect(storedNumbers(fake, 'app', 's')).toEqual([0, 1, 2, 3]);
  });

  it('sorts by time (stable for equal times) and sends integer epoch-ms timestamps', async () => {
    const { fake, out } = await harness(base);
    const t = Date.now() - 5000;
    const events = [
      { time: t + 2.9, record: { n: 0 } }, { time: t + 1.5, record: { n: 1 } }, { time: t + 1.2, record: { n: 2 } }, { time: t, record: { n: 3 } },
    ];
    await deliver(out, events);
    expect(storedNumbers(fake, 'app', 's')).toEqual([3, 1, 2, 0]);
    expect(fake.events('app', 's').map((e) => e.timestamp)).toEqual([t, t + 1, t + 1, t + 2]);
  });

  it('counts and logs events older than 14 days or more than 2 h ahead, and never sends them', async () => {
    const { fake, out } = await harness(base);
    const now = Date.now();
    const events = [
      { time: now - 15 * DAY, record: { n: 0 } }, { time: now - 1000, record: { n: 1 } },
      { time: now + 3 * HOUR, record: { n: 2 } }, { time: now - 20 * DAY, record: { n: 3 } }, { time: now, record: { n: 4 } },
    ];
    const d = await deliver(out, events);
    expect(d.results).toEqual([{ status: 'ok', dropped: 3, dropReason: expect.stringMatching(/2 older than 14 days \(not sent\); 1 more than 2 h in the future/) }]);
    expect(storedNumbers(fake, 'app', 's')).toEqual([1, 4]);
    const sent = fake.callsOf('PutLogEvents').flatMap((c) => (c.input.logEvents as Array<{ message: string }>).map((e) => (JSON.parse(e.message) as { n: number }).n));
    expect(sent).not.toContain(0);
    expect(sent).not.toContain(2);
  });

  it('truncates an event over the size limit with a marker, counts it, and delivers it', async () => {
    const { fake, out, ctx } = await harness([['log_group_name', 'app'], ['log_stream_name', 's'], ['auto_create_group', 'on'], ['log_key', 'log']]);
    const huge = 'a'.repeat(1_200_000);
    const d = await deliver(out, [{ time: Date.now(), record: { log: huge } }, { time: Date.now(), record: { log: 'small' } }]);
    expect(d.results).toEqual([{ status: 'ok' }]);
    const [a, b] = fake.events('app', 's');
    expect(Buffer.byteLength(a!.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(a!.message).toMatch(/…\[truncated by wren: \d+ bytes\]$/);
    const removed = Number(/(\d+) bytes\]$/.exec(a!.message)![1]);
    expect(a!.message.indexOf('…') + removed).toBe(1_200_000);
    expect(b!.message).toBe('small');
    expect(ctx.counters.get('truncated_records')).toBe(1);
    expect(ctx.logs.some((l) => /truncated 1 message/.test(String(l.msg)))).toBe(true);
  });

  it('truncation cuts at a character boundary and says exactly how many bytes went', () => {
    const msg = '€'.repeat(500_000); // 1,500,000 bytes
    const t = truncateMessage(msg, 1_500_000);
    expect(Buffer.byteLength(t)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const kept = t.slice(0, t.indexOf('…'));
    expect(kept).toBe('€'.repeat(kept.length));
    expect(Number(/(\d+) bytes\]$/.exec(t)![1])).toBe(1_500_000 - Buffer.byteLength(kept));
  });

  it('reads rejectedLogEventsInfo and counts the rejected events as dropped', async () => {
    const { fake, out, ctx } = await harness([['log_group_name', 'app'], ['log_stream_name', 's']]);
    fake.createGroup('app', 1); // a 1-day retention: the service rejects older events as expired
    fake.createStream('app', 's');
    const now = Date.now();
    const events = [{ time: now - 3 * DAY, record: { n: 0 } }, { time: now - 2 * DAY, record: { n: 1 } }, { time: now, record: { n: 2 } }];
    const d = await deliver(out, events);
    expect(d.results).toEqual([{ status: 'ok', dropped: 2, dropReason: expect.stringMatching(/2 rejected by the service \(rejectedLogEventsInfo: 2 expired\)/) }]);
    expect(storedNumbers(fake, 'app', 's')).toEqual([2]);
    expect(ctx.counters.get('rejected_records')).toBe(2);
  });
});
