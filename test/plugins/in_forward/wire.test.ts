import { afterEach, describe, expect, it } from 'vitest';
import { dockerMessage, dockerRecord, eventTime, int32Time, pack, packedForward, rawClient } from './frames.js';
import { startForward, waitFor, type ForwardHarness } from './harness.js';

let h: ForwardHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ID = 'c7'.repeat(32);
const acks = (replies: unknown[]) => replies.map((r) => (r as { ack: string }).ack);

describe('forward input on the wire', () => {
  it("Docker's fluentd log driver: Message frames, integer and sub-second times, request-ack, partial lines", async () => {
    h = await startForward();
    const c = await rawClient({ port: h.port });
    const tag = ID.slice(0, 12);
    // fluentd-request-ack: the driver waits for each ack before the next line
    for (let i = 0; i < 20; i++) {
      c.socket.write(dockerMessage({ tag, sec: 1710406800 + i, record: dockerRecord(ID, `line ${i}`), chunk: `Y2h1bmst${i}` }));
      await waitFor(() => c.replies.length === i + 1, `ack ${i}`);
    }
    expect(acks(c.replies)).toEqual(Array.from({ length: 20 }, (_, i) => `Y2h1bmst${i}`));
    // without acks, many lines in one write; sub-second precision; a line split by Docker (16K)
    const burst = [];
    for (let i = 20; i < 520; i++) burst.push(dockerMessage({ tag, sec: 1710406900, nsec: i * 1000, subSecond: true, record: dockerRecord(ID, `line ${i}`, i % 3 ? 'stdout' : 'stderr') }));
    burst.push(dockerMessage({ tag, sec: 1710407000, record: { ...dockerRecord(ID, 'x'.repeat(16384)), partial_message: 'true', partial_id: 'p1', partial_ordinal: '1', partial_last: 'false' } }));
    c.socket.end(Buffer.concat(burst));
    await c.closed;
    const got = h.records();
    expect(got).toHaveLength(521);
    expect(got.map((r) => r.log).slice(0, 520)).toEqual(Array.from({ length: 520 }, (_, i) => `line ${i}`));
    expect(got[0]).toEqual({ container_id: ID, container_name: '/web-1', source: 'stdout', log: 'line 0' });
    expect(got[520]).toMatchObject({ partial_message: 'true', partial_id: 'p1', partial_last: 'false' });
    const evs = h.events();
    expect(evs[3]!.time).toBe(1710406803000);
    expect(evs[25]!.time).toBeCloseTo(1710406900000 + 25 * 0.001, 6);
    expect(new Set(h.emitted.map((e) => e.tag))).toEqual(new Set([tag]));
    // Message frames were batched, not emitted one by one
    expect(h.emitted.length).toBeLessThan(100);
  });

  it('frames split at every byte boundary, all four modes mixed, a heartbeat: every record once, in order', async () => {
    h = await startForward([['tag', 'fixed']]);
    const frames = [
      dockerMessage({ tag: 'a', sec: 1, record: { n: '0' } }),
      pack(['b', [[1, { n: '1' }], [2, { n: '2' }]], { chunk: 'f1' }]),
      Buffer.from([0xc0]), // heartbeat
      packedForward('c', [[eventTime(3, 5), { n: '3' }], [int32Time(4), { n: '4' }]], { size: 2, chunk: 'p1' }),
      packedForward('d', [[eventTime(5, 0), { n: '5' }], [int32Time(6), { n: '6', big: 'y'.repeat(300) }]], { chunk: 'z1' }, true),
    ];
    const all = Buffer.concat(frames);
    const c = await rawClient({ port: h.port });
    for (let i = 0; i < all.length; i++) {
      c.socket.write(all.subarray(i, i + 1));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => c.replies.length === 3, 'three acks');
    c.socket.end();
    await c.closed;
    expect(h.records().map((r) => r.n)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(acks(c.replies)).toEqual(['f1', 'p1', 'z1']);
    expect(new Set(h.emitted.map((e) => e.tag))).toEqual(new Set(['fixed']));
  });

  it('a malformed frame closes its connection with a logged reason; the frames before it are kept and acked', async () => {
    h = await startForward();
    const c = await rawClient({ port: h.port });
    c.socket.write(Buffer.concat([pack(['ok', [[1, { i: 1 }]], { chunk: 'good' }]), Buffer.from([0x93, 0xa2, 0x6f, 0x6b, 0xc1, 0x00])]));
    await c.closed;
    expect(h.records()).toEqual([{ i: 1 }]);
    expect(acks(c.replies)).toEqual(['good']);
    const err = h.ctx.logs.find((l) => /malformed frame/.test(String(l.msg)))!;
    expect(err.err).toMatch(/0xc1/);
    expect(h.ctx.counters.get('malformed_frames')).toBe(1);

    // JSON text is not a Forward message
    const j = await rawClient({ port: h.port });
    j.socket.write('{"log":"hello"}\n');
    await j.closed;
    expect(h.ctx.logs.some((l) => /expected an array/.test(String(l.err)))).toBe(true);

    // a frame over buffer_max_size
    await h.stop();
    h = await startForward([['buffer_max_size', '1k']]);
    const big = await rawClient({ port: h.port });
    big.socket.write(Buffer.concat([pack(['t', 1, { small: 1 }]), packedForward('t', [[int32Time(1), { x: 'z'.repeat(2000) }]])]));
    await big.closed;
    expect(h.records()).toEqual([{ small: 1 }]);
    expect(h.ctx.logs.some((l) => /larger than buffer_max_size/.test(String(l.err)))).toBe(true);
  });

  it('a connection that ends mid-frame: the whole frames are kept, the cut one is reported and not acked', async () => {
    h = await startForward();
    const c = await rawClient({ port: h.port });
    const second = pack(['t', [[2, { i: 2 }]], { chunk: 'two' }]);
    c.socket.write(pack(['t', [[1, { i: 1 }]], { chunk: 'one' }]));
    c.socket.end(second.subarray(0, second.length - 3));
    await c.closed;
    expect(h.records()).toEqual([{ i: 1 }]);
    expect(acks(c.replies)).toEqual(['one']);
    expect(h.ctx.logs.some((l) => /middle of a frame/.test(String(l.msg)))).toBe(true);
    expect(h.ctx.counters.get('truncated_frames')).toBe(1);
  });

  it('entries that are not [time, map] are skipped and counted; the rest of the frame is kept and acked', async () => {
    h = await startForward();
    const c = await rawClient({ port: h.port });
    c.socket.write(pack(['t', [[1, { i: 1 }], [2, 'not a map'], 7, [3, { i: 3 }]], { chunk: 'mixed', size: 4 }]));
    // a size option that does not match the entries is reported; the entries are still taken
    c.socket.write(packedForward('t', [[int32Time(4), { i: 4 }]], { chunk: 'sized', size: 3 }, true));
    await waitFor(() => c.replies.length === 2, 'the acks');
    c.socket.end();
    expect(h.records()).toEqual([{ i: 1 }, { i: 3 }, { i: 4 }]);
    expect(h.ctx.counters.get('invalid_entries')).toBe(2);
    expect(h.ctx.counters.get('size_mismatches')).toBe(1);
  });
});
