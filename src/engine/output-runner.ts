import { errorLine } from '../errors.js';
import type { Logger } from '../log.js';
import { retryDelayMs } from './backoff.js';
import type { InstanceMetrics } from './metrics.js';
import { ChunkBuilder, type EncodedBatch } from './chunk-builder.js';
import { EventData, type MemoryOwner } from './event-data.js';
import type { Receipt } from './receipt.js';
import type { Chunk, FlushResult, OutputInstance } from './types.js';

/** A buffered chunk and the receipts of the batches in it. */
interface BufferedChunk extends Chunk {
  /** Order of sealing: retries after an outage go oldest first. */
  seq: number;
  receipts: Receipt[];
  /** Given up at shutdown while its flush was still under way: its answer is ignored. */
  abandoned?: boolean;
}

/** Batches of one tag since the last seal: their bytes, copied in, and their receipts. */
interface OpenChunk {
  builder: ChunkBuilder;
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
const MAX_SIZE_HINTS = 10_000;

/**
 * One output's buffer and scheduler: batches append to an open chunk per tag; chunks are sealed
 * on every flush tick (or when full) and flushed with at most `workers` in flight; failures retry
 * with backoff, whole or in part.
 */
export class OutputRunner {
  private readonly open = new Map<string, OpenChunk>();
  /** The size of each tag's last chunk: the next one starts that big. */
  private readonly lastSize = new Map<string, { bytes: number; count: number }>();
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

  /**
   * Buffer a batch's events (copied out of the shared encoding, charged to `owner`) under its
   * tag; its receipt is held until they leave.
   */
  append(tag: string, batch: EncodedBatch, receipt: Receipt, owner: MemoryOwner | null): void {
    const n = batch.count;
    if (n === 0) return;
    const size = batch.starts[n]!;
    let c = this.open.get(tag);
    if (c && c.builder.count > 0 && c.builder.bytes + size > this.chunkBytes) {
      // chunks stay within chunkBytes (so their buffers stay in one size class of the pool)
      this.seal(tag, c);
      this.pump();
      c = undefined;
    }
    if (!c) {
      // sized as this tag's last chunk was: a busy tag's chunk never grows (nor copies) on the way
      const hint = this.lastSize.get(tag);
      c = { builder: new ChunkBuilder(Math.max(size, hint?.bytes ?? 0), Math.max(n, hint?.count ?? 0)), receipts: [] };
      this.open.set(tag, c);
    }
    const before = c.builder.bytes;
    c.builder.append(batch, owner);
    if (c.receipts[c.receipts.length - 1] !== receipt) {
      receipt.hold();
      c.receipts.push(receipt);
    }
    this.bufferedBytes += c.builder.bytes - before;
    this.bufferedRecords += n;
    this.o.metrics.add('records_in', n);
    if (c.builder.bytes >= this.chunkBytes) {
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
   * delivery was never confirmed. Their receipts are abandoned (a tail keeps their offsets, so the
   * lines are read again after a restart). Returns how many events were not delivered.
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
      n += c.data.count;
      this.o.metrics.add('dropped_records', c.data.count);
      this.o.onDrop(c.data.count);
      this.release(c, true);
    }
    if (n > 0) this.o.log.error({ records: n }, `${n} record(s) not delivered: ${reason}`);
    return n;
  }

  /** Wren is running: let the instance start its own work (see OutputInstance.start). */
  async start(): Promise<void> {
    try {
      await this.o.instance.start?.();
    } catch (err) {
      this.o.log.error(`starting failed: ${errorLine(err)}`);
    }
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
    const data = c.builder.seal();
    if (this.lastSize.size >= MAX_SIZE_HINTS && !this.lastSize.has(tag)) this.lastSize.clear();
    this.lastSize.set(tag, { bytes: Math.min(this.chunkBytes, data.starts[data.count]!), count: data.count });
    const seq = ++this.seq;
    this.ready.push({ id: `${this.o.id}-${seq}`, seq, tag, data, attempt: 0, receipts: c.receipts });
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
    const total = chunk.data.count;
    if (r.status === 'ok') {
      const dropped = Math.min(r.dropped ?? 0, total);
      if (dropped > 0) this.logDrop(dropped, r.dropReason ?? 'rejected by the destination');
      m.add('proc_records', total - dropped);
      m.add('proc_bytes', chunk.data.bytes);
      this.release(chunk, false);
      this.recovered();
      return;
    }
    if (r.status === 'drop') {
      const n = Math.min(r.count ?? total, total);
      m.add('proc_records', total - n);
      if (n > 0) this.logDrop(n, r.reason);
      this.release(chunk, false);
      return;
    }
    // retry: whole chunk, or just `only`
    const only = r.only;
    if (only && only.length < total) {
      const done = total - only.length;
      const dropped = Math.min(r.dropped ?? 0, done);
      if (dropped > 0) this.logDrop(dropped, r.dropReason ?? 'rejected by the destination');
      const before = chunk.data.bytes;
      const rest = chunk.data.select(only);
      chunk.data.release();
      chunk.data = rest;
      m.add('proc_records', done - dropped);
      m.add('proc_bytes', before - rest.bytes);
      this.bufferedBytes -= before - rest.bytes;
      this.bufferedRecords -= done;
      if (done > dropped) this.recovered();
    }
    if (chunk.data.count === 0) {
      this.release(chunk, false);
      return;
    }
    if (chunk.attempt >= this.o.retryLimit) {
      m.add('retries_failed');
      this.logDrop(chunk.data.count, `retries exhausted (retry_limit ${this.o.retryLimit}): ${r.reason}`);
      this.release(chunk, false);
      return;
    }
    chunk.attempt++;
    m.add('retries');
    m.add('retried_records', chunk.data.count);
    let delay = retryDelayMs(chunk.attempt, this.o.schedulerBaseMs, this.o.schedulerCapMs, r.retryAfterMs);
    if (this.draining) delay = Math.min(delay, 1000);
    this.o.log.warn({ chunk: chunk.id, attempt: chunk.attempt, records: chunk.data.count, delay_ms: delay }, `flush failed, will retry: ${r.reason}`);
    this.later(chunk, delay);
  }

  private later(chunk: BufferedChunk, delay: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.ready.push(chunk);
      this.pump();
    }, delay);
    this.timers.set(t, chunk);
  }

  /**
   * A flush got through: the destination is back. Chunks waiting out a backoff from the outage
   * are tried again now (still at most `workers` at a time, oldest first) instead of each
   * sleeping out its own timer, which after a long outage meant minutes of drain. If the
   * destination fails again they back off again from their own attempt counts.
   */
  private recovered(): void {
    if (this.timers.size === 0) return;
    const waiting = [...this.timers];
    this.timers.clear();
    for (const [t] of waiting) clearTimeout(t);
    waiting.sort((a, b) => a[1].seq - b[1].seq);
    for (const [, chunk] of waiting) this.ready.push(chunk);
  }

  /**
   * The chunk leaves the buffer: its bytes go back to their inputs and its receipts are released
   * (delivered or dropped for a logged reason) or, at shutdown, abandoned (not delivered).
   */
  private release(chunk: BufferedChunk, abandoned: boolean): void {
    this.bufferedBytes -= chunk.data.bytes;
    this.bufferedRecords -= chunk.data.count;
    chunk.data.release();
    chunk.data = EventData.EMPTY;
    for (const r of chunk.receipts) {
      if (abandoned) r.abandon();
      else r.release();
    }
    chunk.receipts = [];
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
