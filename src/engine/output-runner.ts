import { errorLine } from '../errors.js';
import type { Logger } from '../log.js';
import { retryDelayMs } from './backoff.js';
import type { InstanceMetrics } from './metrics.js';
import { ChunkBuilder, type EncodedBatch } from './chunk-builder.js';
import { EventData, type MemoryOwner } from './event-data.js';
import type { Receipt } from './receipt.js';
import type { ChunkFileWriter } from './storage/chunk-file.js';
import type { DiskChunks } from './storage/disk-chunks.js';
import type { Chunk, FlushResult, OutputInstance } from './types.js';
import { WaitingChunks } from './waiting-chunks.js';
import { safeCall } from './safe-call.js';

/** A buffered chunk and the receipts of the batches in it. */
interface BufferedChunk extends Chunk {
  /** Order of sealing: retries after an outage go oldest first. */
  seq: number;
  receipts: Receipt[];
  /** Given up at shutdown while its flush was still under way: its answer is ignored. */
  abandoned?: boolean;
  /** Chunk files holding its records (storage.type filesystem), deleted once it leaves Wren. */
  files?: { path: string; size: number }[];
  /** Every batch in it is in its files: it may wait on disk only, and survives a restart. */
  onDisk?: boolean;
  /** Waiting on disk only (storage.max_chunks_up): read back before it is flushed. */
  down?: boolean;
  /** Its record count while down. */
  records?: number;
  /** Some of its records were delivered (a partial retry): kept in memory, its files hold them all. */
  trimmed?: boolean;
}

/** Batches of one tag since the last seal: their bytes, copied in, and their receipts. */
interface OpenChunk {
  tag: string;
  builder: ChunkBuilder;
  receipts: Receipt[];
  /** Filesystem-stored batches: the file being written, all files written, and whether all made it. */
  file?: ChunkFileWriter;
  files?: { path: string; size: number }[];
  onDisk?: boolean;
}

/** Open chunks of filesystem-stored batches are kept apart from memory ones (same tag). */
const DISK_KEY = '\u0000disk';

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
  /** Chunk files of this output, when `storage.path` is set. */
  disk?: DiskChunks;
}

const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024;
const MIN_CHUNK_BYTES = 256 * 1024;

/**
 * The chunk size under the smallest `mem_buf_limit` of a pipeline's inputs: 2 MiB, or half the
 * limit when that is less (a power of two, the pool's size classes, from 256 KiB). With a 2M limit
 * and 2 MiB chunks, one chunk's growth by doubling and its request body alone came to twice the
 * limit in buffers (the outage test: 3-4 MB of RSS more than with 1 MiB chunks); two chunks also
 * let one be sent while the next fills.
 */
export function chunkBytesFor(smallestLimit: number): number {
  if (!(smallestLimit < 2 * DEFAULT_CHUNK_BYTES)) return DEFAULT_CHUNK_BYTES;
  return Math.max(MIN_CHUNK_BYTES, 2 ** Math.floor(Math.log2(Math.max(1, smallestLimit / 2))));
}

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
  private readonly waiting = new WaitingChunks<BufferedChunk>();
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
    if (o.disk) {
      o.metrics.gauge('storage_mem_chunks', () => this.chunkCounts().mem);
      o.metrics.gauge('storage_fs_chunks_up', () => this.chunkCounts().up);
      o.metrics.gauge('storage_fs_chunks_down', () => this.chunkCounts().down);
    }
  }

  /** Chunks by where they are: memory only, on disk and in memory (up), on disk only (down). */
  chunkCounts(): { mem: number; up: number; down: number } {
    const n = { mem: 0, up: 0, down: 0 };
    for (const c of this.open.values()) c.files ? n.up++ : n.mem++;
    for (const c of [...this.waiting.all(), ...this.flying]) {
      if (c.down) n.down++;
      else if (c.files !== undefined && c.files.length > 0) n.up++;
      else n.mem++;
    }
    return n;
  }

  get id(): string {
    return this.o.id;
  }

  /**
   * Buffer a batch's events (copied out of the shared encoding) under its tag. A memory batch is
   * charged to `owner` and its receipt is held until it leaves Wren. A `durable` batch (its input
   * has storage.type filesystem) is written to the chunk's file first: once there, it is stored
   * and its receipt is not held (the disk holds it); if the write fails it is kept as a memory
   * batch. Returns whether the batch is on disk.
   */
  append(tag: string, batch: EncodedBatch, receipt: Receipt, owner: MemoryOwner | null, durable = false): boolean {
    const n = batch.count;
    if (n === 0) return false;
    const size = batch.starts[n]!;
    const key = durable && this.o.disk ? tag + DISK_KEY : tag;
    let c = this.open.get(key);
    if (c && c.builder.count > 0 && c.builder.bytes + size > this.chunkBytes) {
      // chunks stay within chunkBytes (so their buffers stay in one size class of the pool)
      this.seal(key, c);
      this.pump();
      c = undefined;
    }
    if (!c) {
      // sized as this tag's last chunk was: a busy tag's chunk never grows (nor copies) on the way;
      // but no larger than its input may still buffer (at mem_buf_limit, the chunk opened for the
      // last batch read before the pause holds that batch only)
      const hint = this.lastSize.get(tag);
      const room = Math.max(0, owner?.room?.() ?? Infinity);
      c = { tag, builder: new ChunkBuilder(Math.max(size, Math.min(hint?.bytes ?? 0, room)), Math.max(n, hint?.count ?? 0)), receipts: [] };
      if (key !== tag) {
        c.files = [];
        c.onDisk = true;
      }
      this.open.set(key, c);
    }
    const stored = c.files !== undefined && this.o.disk!.write(c as { files: { path: string; size: number }[] }, tag, batch);
    if (c.files !== undefined && !stored) c.onDisk = false;
    const before = c.builder.bytes;
    c.builder.append(batch, stored ? null : owner);
    if (!stored && c.receipts[c.receipts.length - 1] !== receipt) {
      receipt.hold();
      c.receipts.push(receipt);
    }
    this.bufferedBytes += c.builder.bytes - before;
    this.bufferedRecords += n;
    this.o.metrics.add('records_in', n);
    if (stored) this.enforceDiskLimit();
    if (c.builder.bytes >= this.chunkBytes) {
      this.seal(key, c);
      this.pump();
    }
    return stored;
  }

  /**
   * Chunks an earlier run left on disk: queued first, each read back when its turn comes (at most
   * `workers` of them in memory at once). Returns how many.
   */
  loadBacklog(): number {
    const entries = this.o.disk?.backlog() ?? [];
    for (const e of entries) {
      const seq = ++this.seq;
      this.waiting.push({ id: `${this.o.id}-${seq}`, seq, tag: e.header.tag, data: EventData.EMPTY, attempt: 0, receipts: [],
        files: [{ path: e.path, size: e.size }], onDisk: true, down: true });
    }
    return entries.length;
  }

  /** The chunk files cannot be written now (disk full, read-only). */
  get diskBlocked(): boolean {
    return this.o.disk?.blocked ?? false;
  }

  /** While the chunk files cannot be written: try again (unblocks the inputs when it works). */
  probeDisk(): void {
    if (this.o.disk?.blocked) this.o.disk.probe();
  }

  /** Sealed chunks waiting to be flushed (in memory or on disk). */
  get waitingChunks(): number {
    return this.waiting.size;
  }

  /** More chunks waiting than storage.max_chunks_up allows in memory. */
  get chunksOverlimit(): boolean {
    return this.o.disk !== undefined && this.waitingChunks + this.flying.size > this.o.disk.maxChunksUp;
  }

  /**
   * storage.type memrb: drop the oldest chunks waiting here that `owner` pays for (not those being
   * flushed), counted and logged, until `enough()`. Returns how many records were dropped.
   */
  shed(owner: MemoryOwner, enough: () => boolean): number {
    let n = 0;
    for (const c of this.waiting.readyNow()) {
      if (enough()) break;
      if (c.down || !c.data.paidBy(owner)) continue;
      this.waiting.remove(c);
      n += c.data.count;
      this.release(c, false);
    }
    if (n > 0) this.logDrop(n, 'storage.type memrb: the oldest chunks make room for new records at mem_buf_limit');
    return n;
  }

  /** The flush tick: seal every open chunk and start flushing. */
  tick(): void {
    for (const [key, c] of this.open) this.seal(key, c);
    this.pump();
  }

  isIdle(): boolean {
    return this.open.size === 0 && this.waiting.size === 0 && this.flying.size === 0;
  }

  /** Flush everything buffered; resolves when idle (delivered, or dropped after its retries). */
  drain(): Promise<void> {
    this.draining = true;
    // retries waiting on a long backoff go now
    this.waiting.wakeAll(false);
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
    const chunks = [...this.waiting.clear(), ...this.flying];
    for (const c of this.flying) c.abandoned = true;
    this.flying.clear();
    for (const [key, c] of this.open) this.seal(key, c);
    chunks.push(...this.waiting.clear());
    let n = 0;
    let kept = 0;
    for (const c of chunks) {
      const count = c.down ? c.records ?? 0 : c.data.count;
      if (c.onDisk) kept += count;
      else {
        n += count;
        this.o.metrics.add('dropped_records', count);
        this.o.onDrop(count);
      }
      this.release(c, true);
    }
    if (n > 0) this.o.log.error({ records: n }, `${n} record(s) not delivered: ${reason}`);
    if (kept > 0) this.o.log.warn({ records: kept }, `${kept} record(s) not delivered yet are kept in their chunk files (storage.path): they are delivered after the next start`);
    return n;
  }

  /** Wren is running: let the instance start its own work (see OutputInstance.start). */
  async start(): Promise<void> {
    await safeCall(this.o.instance.start?.bind(this.o.instance), this.o.log, 'starting');
  }

  /** Stop the output instance (after drain or abandon). */
  async stop(): Promise<void> {
    await safeCall(this.o.instance.stop?.bind(this.o.instance), this.o.log);
  }

  private seal(key: string, c: OpenChunk): void {
    this.open.delete(key);
    const tag = c.tag;
    c.file?.close();
    const data = c.builder.seal();
    if (this.lastSize.size >= MAX_SIZE_HINTS && !this.lastSize.has(tag)) this.lastSize.clear();
    this.lastSize.set(tag, { bytes: Math.min(this.chunkBytes, data.starts[data.count]!), count: data.count });
    const seq = ++this.seq;
    this.waiting.push({ id: `${this.o.id}-${seq}`, seq, tag, data, attempt: 0, receipts: c.receipts, files: c.files, onDisk: c.onDisk });
    if (this.o.disk) this.putDown();
  }

  private pump(): void {
    while (this.flying.size < this.o.workers && this.waiting.readyCount > 0) {
      const chunk = this.waiting.shift()!;
      if (chunk.down && !this.bringUp(chunk)) continue;
      void this.run(chunk);
    }
    this.checkIdle();
  }

  /**
   * storage.max_chunks_up, storage.backlog.mem_limit: beyond that many chunks in memory, or while
   * the waiting chunks whose records are all on disk take more than that many bytes, the newest of
   * them are let go from memory; they are read back when their turn comes. So an outage costs
   * disk, not memory.
   */
  private putDown(): void {
    const disk = this.o.disk!;
    const max = disk.maxChunksUp;
    const maxBytes = disk.store.settings.waitingBytesUp;
    const waiting = this.waiting.bySeq();
    let up = this.open.size + this.flying.size;
    let bytes = 0;
    for (const c of waiting) {
      if (c.down) continue;
      up++;
      if (c.onDisk && !c.trimmed) bytes += c.data.bytes;
    }
    for (let i = waiting.length - 1; i >= 0 && (up > max || bytes > maxBytes); i--) {
      const c = waiting[i]!;
      if (c.down || !c.onDisk || c.trimmed) continue;
      c.records = c.data.count;
      this.bufferedBytes -= c.data.bytes;
      bytes -= c.data.bytes;
      c.data.release();
      c.data = EventData.EMPTY;
      c.down = true;
      up--;
    }
  }

  /**
   * storage.total_limit_size: while this output's chunk files take more, the oldest chunks waiting
   * here (not those being flushed, nor the one being written) are dropped, counted and logged by
   * name.
   */
  private enforceDiskLimit(): void {
    const disk = this.o.disk!;
    const limit = disk.store.settings.totalLimitSize;
    if (limit === undefined || disk.store.bytesOnDisk <= limit) return;
    const waiting = this.waiting.bySeq().filter((c) => c.files !== undefined && c.files.length > 0);
    for (const c of waiting) {
      if (disk.store.bytesOnDisk <= limit) break;
      this.waiting.remove(c);
      const names = c.files!.map((f) => f.path).join(', ');
      const n = c.down ? c.records ?? disk.count(c.files!) : c.data.count;
      this.logDrop(n, `storage.total_limit_size (${limit} bytes) reached: the oldest chunk goes (${names})`);
      this.release(c, false);
    }
  }

  /** Read a chunk that waited on disk back into memory; false if nothing of it could be read. */
  private bringUp(chunk: BufferedChunk): boolean {
    const data = this.o.disk!.load(chunk.files!);
    // from the backlog its records were not counted yet; put down, they still are
    if (chunk.records === undefined) this.bufferedRecords += data.count;
    else this.bufferedRecords += data.count - chunk.records;
    chunk.down = false;
    chunk.records = undefined;
    chunk.data = data;
    this.bufferedBytes += data.bytes;
    if (data.count > 0) return true;
    this.release(chunk, false);
    return false;
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
      this.release(chunk, false, n > 0);
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
      chunk.trimmed = true;
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
      this.release(chunk, false, true);
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
    this.waiting.later(chunk, delay, () => this.pump());
    // a chunk read back from disk for a flush that failed waits again: on disk if over the limits
    if (this.o.disk) this.putDown();
  }

  /**
   * A flush got through: the destination is back. Chunks waiting out a backoff from the outage
   * are tried again now (still at most `workers` at a time, oldest first) instead of each
   * sleeping out its own timer, which after a long outage meant minutes of drain. If the
   * destination fails again they back off again from their own attempt counts.
   */
  private recovered(): void {
    this.waiting.wakeAll(true);
  }

  /**
   * The chunk leaves the buffer: its bytes go back to their inputs and its receipts are released
   * (delivered or dropped for a logged reason) or, at shutdown, abandoned (not delivered).
   */
  private release(chunk: BufferedChunk, abandoned: boolean, rejected = false): void {
    this.bufferedBytes -= chunk.data.bytes;
    this.bufferedRecords -= chunk.down ? chunk.records ?? 0 : chunk.data.count;
    chunk.data.release();
    chunk.data = EventData.EMPTY;
    // delivered (or dropped for a logged reason): its files go; given up at shutdown: they stay
    if (chunk.files !== undefined && !abandoned) {
      if (rejected) this.o.disk?.reject(chunk.files);
      else this.o.disk?.remove(chunk.files);
    }
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
