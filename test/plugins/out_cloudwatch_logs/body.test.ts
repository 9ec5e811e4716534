import { describe, expect, it } from 'vitest';
import { encodeEvents } from '../../../plugins/out_cloudwatch_logs/encode.js';
import { putLogEventsBody } from '../../../plugins/out_cloudwatch_logs/request.js';
import { eventData } from '../../../src/engine/encode-events.js';

describe('PutLogEvents body', () => {
  it('a record’s JSON bytes become the message exactly as JSON.stringify would write them (quotes, backslashes, escapes, non-ASCII, lone surrogates)', () => {
    const records = [
      { log: 'plain' },
      { log: 'say "hi" \\ back\\slash', path: 'C:\\temp\\x' },
      { log: 'tab\there\nnewline\r\u0001\u001f ctrl' },
      { log: 'ü ✓ — 𝄞 日本', nested: { a: [1, 'two', null, true] } },
      { log: 'lone \ud800 surrogate', n: 1.5e300 },
      {},
    ];
    const data = eventData(records.map((record, i) => ({ time: 1_700_000_000_000 + i, record })));
    const enc = encodeEvents(data, undefined);
    const body = putLogEventsBody({ group: 'g "quoted"', stream: 's/ü', idx: records.map((_, i) => i), bytes: 0 }, enc).body;
    const parsed = JSON.parse(body.toString('utf8')) as { logGroupName: string; logStreamName: string; logEvents: { timestamp: number; message: string }[] };
    expect(parsed.logGroupName).toBe('g "quoted"');
    expect(parsed.logStreamName).toBe('s/ü');
    expect(parsed.logEvents.map((e) => e.message)).toEqual(records.map((r) => JSON.stringify(r)));
    expect(parsed.logEvents.map((e) => e.timestamp)).toEqual(records.map((_, i) => 1_700_000_000_000 + i));
    // the service counts UTF-8 bytes of the message + 26
    expect(enc.sizes[3]).toBe(Buffer.byteLength(JSON.stringify(records[3])) + 26);
  });

  it('timestamps are written digit by digit, at every length', () => {
    const times = [0, 9, 10, 99, 100, 1_000_000_000_000, 9_999_999_999_999, 1_764_633_600_123];
    const data = eventData(times.map((time) => ({ time, record: { log: 'x' } })));
    const enc = encodeEvents(data, undefined);
    const body = putLogEventsBody({ group: 'g', stream: 's', idx: times.map((_, i) => i), bytes: 0 }, enc).body;
    const parsed = JSON.parse(body.toString('utf8')) as { logEvents: { timestamp: number; message: string }[] };
    expect(parsed.logEvents.map((e) => e.timestamp)).toEqual(enc.times.slice(0, times.length));
    expect(parsed.logEvents.map((e) => e.message)).toEqual(times.map(() => '{"log":"x"}'));
  });

  it('a batch larger than the reused buffer is built whole', () => {
    const big = 'x'.repeat(200_000);
    const records = Array.from({ length: 12 }, (_, i) => ({ i, big: `"${big}"` }));
    const data = eventData(records.map((record, i) => ({ time: 1_700_000_000_000 + i, record })));
    const enc = encodeEvents(data, undefined);
    const body = putLogEventsBody({ group: 'g', stream: 's', idx: records.map((_, i) => i), bytes: 0 }, enc).body;
    const parsed = JSON.parse(body.toString('utf8')) as { logEvents: { message: string }[] };
    expect(parsed.logEvents.map((e) => JSON.parse(e.message).i)).toEqual(records.map((r) => r.i));
  });

  it('a body is written into the buffer of an earlier one when it fits, and into a new one when it does not', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ i, log: `line ${i} "quoted"` }));
    const data = eventData(records.map((record, i) => ({ time: 1_700_000_000_000 + i, record })));
    const enc = encodeEvents(data, undefined);
    const all = { group: 'g', stream: 's', idx: records.map((_, i) => i), bytes: 0 };
    const fresh = putLogEventsBody(all, enc).body;
    const room = Buffer.alloc(fresh.length + 100, 0x7a);
    const reused = putLogEventsBody(all, enc, room).body;
    expect(reused.buffer).toBe(room.buffer);
    expect(reused.toString()).toBe(fresh.toString());
    const small = Buffer.alloc(10);
    const other = putLogEventsBody(all, enc, small).body;
    expect(other.buffer).not.toBe(small.buffer);
    expect(other.toString()).toBe(fresh.toString());
  });
});
