import { errorLine } from '../errors.js';
import type { Logger } from '../log.js';
import { retryDelayMs } from './backoff.js';
import type { InstanceMetrics } from './metrics.js';
import type { Receipt } from './receipt.js';
import type { Chunk, FlushResult, LogEvent, OutputInstance } from './types.js';

/** A buffered chunk and the receipts of the batches in it. */
interface BufferedChunk extends Chunk {
  receipts: Receipt[];
  /** Given up at shutdown while its flush was still under way: its answer is ignored. */
  abandoned?: boolean;
}

interface OpenChunk {
  events: LogEvent[];
  bytes: number;
  receipts: Receipt[];
}

export interface OutputRunnerOptions {
  id: string;
  instance: OutputInstance;
  metrics: InstanceMetrics;
  log: Logger;
  workers: number;
  /** Retries per chunk before its events are dropped; Infinity for no limit. */
  retryLimit: number;
  schedulerBaseMs: number;
  schedulerCapMs: number;
  /** A chunk is sealed (and flushed at once) when it reaches this many bytes. */
  chunkBytes?: number;
  /** Called with the number of events whenever events are dropped. */
  onDrop(count: number): void;
}

const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * One output's buffer and scheduler: batches append to an open chunk per tag; chunks are sealed
 * on every flush tick (or when full) and flushed with at most `workers` in flight; failures retry
 * with backoff, whole or in part.
 */
export class OutputRunner {
  private readonly open = new Map<string, OpenChunk>();
  private readonly ready: BufferedChunk[] = [];
  private readonly timers = new Map<NodeJS.Timeout, BufferedChunk>();
  private readonly flying = new Set<BufferedChunk>();
  private seq = 0;
  private bufferedBytes = 0;
  private bufferedRecords = 0;
  /** While draining at shutdown, waits between retries are cut short. */
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  private readonly chunkBytes: number;

  constructor(private readonly o: OutputRunnerOptions) {
    this.chunkBytes = o.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    o.metrics.gauge('buffered_bytes', () => this.bufferedBytes);
    o.metrics.gauge('buffered_records', () => this.bufferedRecords);
  }

  get id(): string {
    return this.o.id;
  }

  append(tag: string, events: LogEvent[], bytes: number, receipt: Receipt): void {
    if (events.length === 0) return;
    let c = this.open.get(tag);
    if (!c) {
      c = { events: [], bytes: 0, receipts: [] };
      this.open.set(tag, c);
    }
    if (events.length === 1) c.events.push(events[0]!);
    else for (let i = 0; i < events.length; i++) c.events.push(events[i]!);
    c.bytes += bytes;
    if (c.receipts[c.receipts.length - 1] !== receipt) {
      receipt.hold();
      c.receipts.push(receipt);
    }
    this.bufferedBytes += bytes;
    this.bufferedRecords += events.length;
    this.o.metrics.add('records_in', events.length);
    if (c.bytes >= this.chunkBytes) {
      this.seal(tag, c);
      this.pump();
    }
  }

  /** The flush tick: seal every open chunk and start flushing. */
  tick(): void {
    for (const [tag, c] of this.open) this.seal(tag, c);
    this.pump();
  }

  isIdle(): boolean {
    return this.open.size === 0 && this.ready.length === 0 && this.flying.size === 0 && this.timers.size === 0;
  }

  /** Flush everything buffered; resolves when idle (delivered, or dropped after its retries). */
  drain(): Promise<void> {
    this.draining = true;
    // retries waiting on a long backoff go now
    for (const [t, chunk] of this.timers) {
      clearTimeout(t);
      this.timers.delete(t);
      this.ready.push(chunk);
    }
    this.tick();
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Give up on whatever is still buffered (grace expired), flushes under way included: their
   * delivery was never confirmed. Returns how many events were dropped.
   */
  abandon(reason: string): number {
    for (const t of this.timers.keys()) clearTimeout(t);
    const chunks = [...this.ready, ...this.timers.values(), ...this.flying];
    for (const c of this.flying) c.abandoned = true;
    this.flying.clear();
    this.timers.clear();
    this.ready.length = 0;
    for (const [tag, c] of this.open) this.seal(tag, c);
    chunks.push(...this.ready.splice(0));
    let n = 0;
    for (const c of chunks) {
      n += c.events.length;
      this.finish(c, c.events.length, reason);
    }
    return n;
  }

  /** Stop the output instance (after drain or abandon). */
  async stop(): Promise<void> {
    try {
      await this.o.instance.stop?.();
    } catch (err) {
      this.o.log.error(`stopping failed: ${errorLine(err)}`);
    }
  }

  private seal(tag: string, c: OpenChunk): void {
    this.open.delete(tag);
    this.ready.push({ id: `${this.o.id}-${++this.seq}`, tag, events: c.events, bytes: c.bytes, attempt: 0, receipts: c.receipts });
  }

  private pump(): void {
    while (this.flying.size < this.o.workers && this.ready.length > 0) {
      void this.run(this.ready.shift()!);
    }
    this.checkIdle();
  }

  private async run(chunk: BufferedChunk): Promise<void> {
    this.flying.add(chunk);
    let result: FlushResult;
    try {
      result = await this.o.instance.flush(chunk);
    } catch (err) {
      this.o.metrics.add('errors');
      result = { status: 'retry', reason: errorLine(err) };
    }
    this.flying.delete(chunk);
    if (chunk.abandoned) return;
    this.handle(chunk, result);
    this.pump();
  }

  private handle(chunk: BufferedChunk, r: FlushResult): void {
    const m = this.o.metrics;
    if (r.status === 'ok') {
      const dropped = Math.min(r.dropped ?? 0, chunk.events.length);
      if (dropped > 0) this.logDrop(dropped, r.dropReason ?? 'rejected by the destination');
      m.add('proc_records', chunk.events.length - dropped);
      m.add('proc_bytes', chunk.bytes);
      this.finish(chunk, dropped);
      return;
    }
    if (r.status === 'drop') {
      const n = Math.min(r.count ?? chunk.events.length, chunk.events.length);
      m.add('proc_records', chunk.events.length - n);
      this.finish(chunk, n, r.reason);
      return;
    }
    // retry: whole chunk, or just `only`
    const only = r.only;
    if (only && only.length < chunk.events.length) {
      const done = chunk.events.length - only.length;
      const dropped = Math.min(r.dropped ?? 0, done);
      if (dropped > 0) this.logDrop(dropped, r.dropReason ?? 'rejected by the destination');
      const doneBytes = Math.round((chunk.bytes * done) / chunk.events.length);
      m.add('proc_records', done - dropped);
      m.add('proc_bytes', doneBytes);
      this.bufferedBytes -= doneBytes;
      this.bufferedRecords -= done;
      chunk.bytes -= doneBytes;
      chunk.events = only;
    }
    if (chunk.events.length === 0) {
      this.finish(chunk, 0);
      return;
    }
    if (chunk.attempt >= this.o.retryLimit) {
      m.add('retries_failed');
      this.finish(chunk, chunk.events.length, `retries exhausted (retry_limit ${this.o.retryLimit}): ${r.reason}`);
      return;
    }
    chunk.attempt++;
    m.add('retries');
    m.add('retried_records', chunk.events.length);
    let delay = retryDelayMs(chunk.attempt, this.o.schedulerBaseMs, this.o.schedulerCapMs, r.retryAfterMs);
    if (this.draining) delay = Math.min(delay, 1000);
    this.o.log.warn({ chunk: chunk.id, attempt: chunk.attempt, records: chunk.events.length, delay_ms: delay }, `flush failed, will retry: ${r.reason}`);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.ready.push(chunk);
      this.pump();
    }, delay);
    this.timers.set(t, chunk);
  }

  /** The chunk leaves the buffer: `dropped` of its events were not delivered. */
  private finish(chunk: BufferedChunk, dropped: number, reason?: string): void {
    if (dropped > 0 && reason !== undefined) this.logDrop(dropped, reason);
    this.bufferedBytes -= chunk.bytes;
    this.bufferedRecords -= chunk.events.length;
    for (const r of chunk.receipts) r.release();
    chunk.receipts = [];
    chunk.events = [];
  }

  private logDrop(n: number, reason: string): void {
    this.o.metrics.add('dropped_records', n);
    this.o.onDrop(n);
    this.o.log.error({ records: n }, `dropped ${n} record(s): ${reason}`);
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const w = this.idleWaiters.splice(0);
    for (const f of w) f();
  }
}
