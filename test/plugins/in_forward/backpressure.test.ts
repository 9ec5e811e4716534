import { FluentClient } from '@fluent-org/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { pack, rawClient } from './frames.js';
import { startForward, waitFor, type ForwardHarness } from './harness.js';

let h: ForwardHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('forward input under backpressure (mem_buf_limit)', () => {
  it('while paused: sockets are not read and acks are withheld; on resume both go on, nothing lost or repeated', async () => {
    h = await startForward();
    const c = await rawClient({ port: h.port });
    // the first frame takes the input over its limit: it is stored, but its ack waits
    h.pauseOver(0);
    c.socket.write(pack(['t', [[1, { n: 0 }]], { chunk: 'c0' }]));
    await waitFor(() => h!.records().length === 1, 'the first frame');
    // the client goes on writing; the input reads none of it
    const frame = (n: number) => pack(['t', Array.from({ length: 100 }, (_, i) => [1, { n, i, pad: 'p'.repeat(200) }]), { chunk: `c${n}` }]);
    let n = 1;
    while (c.socket.write(frame(n))) n++;
    n++; // the write that returned false was queued too
    await waitFor(() => c.socket.writableLength > 0, 'the client to hold bytes the server does not read');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.records()).toHaveLength(1);
    expect(c.replies).toHaveLength(0);
    expect(n).toBeGreaterThan(20); // kernel buffers filled before the client had to hold anything
    h.setPaused(false);
    await waitFor(() => c.replies.length === n, `${n} acks`);
    expect(c.replies.map((r) => (r as { ack: string }).ack)).toEqual(Array.from({ length: n }, (_, i) => `c${i}`));
    const got = h.records();
    expect(got).toHaveLength(1 + (n - 1) * 100);
    const seen = new Set(got.map((r) => `${r.n}/${r.i ?? 0}`));
    expect(seen.size).toBe(got.length);
    c.socket.end();
  });

  it('a client waiting for acks stops sending while paused and resumes when the input does', async () => {
    h = await startForward();
    const client = new FluentClient('bp', {
      socket: { host: '127.0.0.1', port: h.port, timeout: 10_000 },
      ack: { ackTimeout: 20_000 }, eventMode: 'PackedForward', flushInterval: 5,
      sendQueueMaxLimit: { size: 10_000_000 },
    });
    h.pauseOver(0);
    const sent = Array.from({ length: 2000 }, (_, i) => client.emit('x', { i }));
    let acked = 0;
    for (const p of sent) void p.then(() => acked++);
    await waitFor(() => h!.records().length > 0, 'a first chunk');
    await new Promise((r) => setTimeout(r, 200));
    expect(acked).toBe(0);
    h.setPaused(false);
    await Promise.all(sent);
    await client.disconnect();
    expect(h.records().map((r) => r.i)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });
});
