import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/engine/backoff.js';
import { encodeEvents, eventData } from '../../src/engine/encode-events.js';
import type { MemoryOwner } from '../../src/engine/event-data.js';
import { compileMatch } from '../../src/engine/match.js';
import { MetricsRegistry } from '../../src/engine/metrics.js';
import { chunkBytesFor, OutputRunner } from '../../src/engine/output-runner.js';
import { Receipt } from '../../src/engine/receipt.js';
import type { Chunk, FlushResult, LogEvent } from '../../src/engine/types.js';
import { createLogger } from '../../src/log.js';

const ev = (n: number): LogEvent[] => Array.from({ length: n }, (_, i) => ({ time: 1000 + i, record: { i } }));

/** An input's memory account: what its buffered events cost right now. */
class Owner implements MemoryOwner {
  held = 0;
  charge(b: number): void {
    this.held += b;
  }
}

/** A batch of n events, encoded as the pipeline does (valid until the next one is encoded). */
const data = (n: number) => encodeEvents(ev(n)).batch;
const ids = (c: Chunk) => c.data.toEvents().map((e) => e.record.i as number);

function runner(flush: (c: Chunk) => Promise<FlushResult>, opts: { retryLimit?: number; workers?: number; baseMs?: number; capMs?: number; chunkBytes?: number } = {}) {
  const reg = new MetricsRegistry();
  const metrics = reg.instance('output', 'o.0', 'test');
  let dropped = 0;
  const r = new OutputRunner({
    id: 'o.0', instance: { flush }, metrics, log: createLogger('off'), workers: opts.workers ?? 1,
    retryLimit: opts.retryLimit ?? Infinity, schedulerBaseMs: opts.baseMs ?? 5, schedulerCapMs: opts.capMs ?? 20, onDrop: (n) => (dropped += n),
    chunkBytes: opts.chunkBytes,
  });
  return { r, metrics, dropped: () => dropped };
}

describe('OutputRunner', () => {
  it('retries only the events an output names, gives back the bytes of the rest, and settles receipts when all are out', async () => {
    const seen: number[][] = [];
    const owner = new Owner();
    let call = 0;
    let heldAtRetry = -1;
    const { r, metrics } = runner(async (c) => {
      seen.push(ids(c));
      if (++call === 1) return { status: 'retry', reason: 'partial', only: [1, 3] };
      heldAtRetry = owner.held;
      return { status: 'ok' };
    });
    const onDone: number[] = [];
    const rc = new Receipt(() => onDone.push(1));
    r.append('t', data(4), rc, owner);
    rc.release();
    const full = owner.held;
    expect(full).toBe(eventData(ev(4)).bytes);
    expect(onDone).toEqual([]);
    await r.drain();
    expect(seen).toEqual([[0, 1, 2, 3], [1, 3]]);
    expect(heldAtRetry).toBeGreaterThan(0);
    expect(heldAtRetry).toBeLessThan(full * 0.6); // only the two pending events still count
    expect(onDone).toEqual([1]);
    expect(owner.held).toBe(0);
    expect(metrics.get('proc_records')).toBe(4);
    expect(metrics.get('retries')).toBe(1);
    expect(metrics.get('buffered_bytes')).toBe(0);
  });

  it('drops a chunk after retry_limit retries and counts it; its receipt is settled (dropped, not abandoned)', async () => {
    let calls = 0;
    const { r, metrics, dropped } = runner(async () => (calls++, { status: 'retry', reason: 'down' }), { retryLimit: 2 });
    let done = 0;
    const rc = new Receipt(() => done++);
    r.append('t', data(3), rc, null);
    rc.release();
    await r.drain();
    expect(calls).toBe(3);
    expect(dropped()).toBe(3);
    expect(done).toBe(1);
    expect(metrics.get('retries_failed')).toBe(1);
    expect(metrics.get('dropped_records')).toBe(3);
  });

  it('turns a thrown flush into a retry, never a crash', async () => {
    let calls = 0;
    const { r, metrics } = runner(async () => {
      if (calls++ === 0) throw new Error('boom');
      return { status: 'ok' };
    });
    const rc = new Receipt();
    r.append('t', data(1), rc, null);
    rc.release();
    await r.drain();
    expect(metrics.get('errors')).toBe(1);
    expect(metrics.get('proc_records')).toBe(1);
  });

  it('keeps one chunk per tag (its batches in one buffer) and flushes at most `workers` at a time', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    const { r } = runner(async (c) => {
      seen.push(`${c.tag}:${ids(c).join(',')}`);
      peak = Math.max(peak, ++inFlight);
      await new Promise((res) => setTimeout(res, 10));
      inFlight--;
      return { status: 'ok' };
    }, { workers: 2 });
    const rc = new Receipt();
    for (const t of ['a', 'b', 'c', 'a']) r.append(t, data(t === 'a' ? 2 : 1), rc, null);
    rc.release();
    await r.drain();
    expect(seen.sort()).toEqual(['a:0,1,0,1', 'b:0', 'c:0']);
    expect(peak).toBe(2);
  });

  it('abandon gives up what is left, flushes under way included: bytes go back, receipts never confirm', async () => {
    const { r, dropped } = runner(() => new Promise(() => {}));
    const owner = new Owner();
    let done = 0;
    const rc = new Receipt(() => done++);
    r.append('t', data(2), rc, owner);
    r.tick(); // in flight, never answers
    r.append('u', data(3), rc, owner);
    rc.release();
    expect(r.abandon('grace')).toBe(5);
    expect(dropped()).toBe(5);
    expect(owner.held).toBe(0);
    expect(done).toBe(0); // a tail keeps this batch's offset: it is read again after a restart
  });

  it('after an outage, the first flush that gets through sends the chunks waiting out their backoff at once', async () => {
    let down = true;
    let failures = 0;
    const delivered: string[] = [];
    // a first retry waits up to 5 s (full jitter): without the recovery rule, four chunks
    // would almost surely not all be through within a second
    const { r } = runner(async (c) => {
      if (down) return (failures++, { status: 'retry', reason: 'down' });
      delivered.push(c.tag);
      return { status: 'ok' };
    }, { baseMs: 5000, capMs: 60_000, workers: 4 });
    const rc = new Receipt();
    for (let k = 1; k <= 4; k++) r.append(`t${k}`, data(k), rc, null);
    r.tick();
    rc.release();
    while (failures < 4) await new Promise((res) => setTimeout(res, 5));
    down = false;
    r.append('probe', data(1), new Receipt(), null);
    r.tick();
    const t0 = performance.now();
    while (delivered.length < 5 && performance.now() - t0 < 1000) await new Promise((res) => setTimeout(res, 5));
    expect(delivered.sort()).toEqual(['probe', 't1', 't2', 't3', 't4']);
    await r.drain();
  });
});

describe('chunk sizes', () => {
  it('are 2 MiB, or half the smallest mem_buf_limit (a power of two, from 256 KiB) when that is less', () => {
    const MiB = 1024 * 1024;
    expect(chunkBytesFor(Infinity)).toBe(2 * MiB);
    expect(chunkBytesFor(5 * MiB)).toBe(2 * MiB);
    expect(chunkBytesFor(4 * MiB)).toBe(2 * MiB);
    expect(chunkBytesFor(3 * MiB)).toBe(MiB);
    expect(chunkBytesFor(2 * MiB)).toBe(MiB);
    expect(chunkBytesFor(MiB)).toBe(MiB / 2);
    expect(chunkBytesFor(100 * 1024)).toBe(256 * 1024);
  });

  it('a chunk opened when its input is at mem_buf_limit starts small, not at the size of the tag\'s last chunk', async () => {
    const sizes: number[] = [];
    const { r } = runner(async (c) => {
      sizes.push(c.data.buf.length);
      return { status: 'ok' };
    }, { chunkBytes: 64 * 1024 });
    const room = { left: Infinity };
    const owner: MemoryOwner = { charge: () => {}, room: () => room.left };
    const rc = new Receipt(() => {});
    r.append('t', data(8000), rc, owner); // past chunkBytes: sealed, and the tag's size hint is its size
    room.left = 0;
    r.append('t', data(1), rc, owner);
    room.left = Infinity;
    r.append('t', data(1), rc, owner); // joins the open chunk
    rc.release();
    await r.drain();
    expect(sizes[0]).toBeGreaterThanOrEqual(64 * 1024);
    expect(sizes[1]).toBeLessThan(32 * 1024);
  });
});

describe('backoff and matching', () => {
  it('uses full jitter under an exponential ceiling, and Retry-After when given', () => {
    expect(retryDelayMs(1, 100, 10_000, undefined, () => 0.999)).toBe(99);
    expect(retryDelayMs(4, 100, 10_000, undefined, () => 0.999)).toBe(799);
    expect(retryDelayMs(30, 100, 10_000, undefined, () => 0.5)).toBe(5000);
    expect(retryDelayMs(3, 100, 10_000, 2500)).toBe(2500);
    expect(retryDelayMs(3, 100, 1000, 2500)).toBe(1000);
  });

  it('matches tags with Fluent Bit wildcards', () => {
    expect(compileMatch('*')('anything')).toBe(true);
    expect(compileMatch('kube.*')('kube.var.log.containers.a.log')).toBe(true);
    expect(compileMatch('kube.*')('kubex')).toBe(false);
    expect(compileMatch('*.log')('a.b.log')).toBe(true);
    expect(compileMatch('app')('app')).toBe(true);
    expect(compileMatch('app')('app2')).toBe(false);
  });
});
