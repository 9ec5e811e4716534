import { errorLine } from '../../errors.js';
import type { Logger } from '../../log.js';
import { ChunkBuilder, type EncodedBatch } from '../chunk-builder.js';
import type { EventData } from '../event-data.js';
import type { ChunkFileWriter } from './chunk-file.js';
import type { BacklogEntry, OutputStore } from './output-store.js';

/** A chunk's files on disk (a write error starts a new one). */
export interface ChunkFiles {
  files: { path: string; size: number }[];
}

/** How often a storage that failed (disk full, read-only) is tried again, and the log period. */
const RETRY_MS = 1000;
const LOG_MS = 60_000;

/**
 * An output's side of filesystem buffering: writes the batches of `storage.type filesystem`
 * inputs into chunk files as they are buffered, reads chunks back when they are flushed from
 * disk, deletes them once they leave Wren. A write that fails (ENOSPC, EROFS…) is reported to
 * `onBlocked` once, and logged at most once a minute; `onUnblocked` when a write works again.
 */
export class DiskChunks {
  private blockedSince: number | null = null;
  private lastLog = -Infinity;
  private retryAt = 0;

  constructor(
    readonly store: OutputStore,
    private readonly log: Logger,
    private readonly onBlocked: (reason: string) => void,
    private readonly onUnblocked: () => void,
  ) {}

  get maxChunksUp(): number {
    return this.store.settings.maxChunksUp;
  }

  /** Write a batch to the chunk's current file (opening one if needed); true when it is on disk. */
  write(c: { file?: ChunkFileWriter; files: ChunkFiles['files'] }, tag: string, batch: EncodedBatch): boolean {
    const now = Date.now();
    if (this.blockedSince !== null && now < this.retryAt) return false;
    try {
      if (c.file === undefined || !c.file.isOpen) {
        c.file = this.store.create(tag);
        c.files.push({ path: c.file.path, size: c.file.size });
      }
      const before = c.file.size;
      c.file.append(batch);
      this.store.grew(c.file.size - before);
      c.files[c.files.length - 1]!.size = c.file.size;
      if (this.blockedSince !== null) {
        this.log.info({ after_ms: now - this.blockedSince }, 'filesystem storage writable again: inputs resume');
        this.blockedSince = null;
        this.onUnblocked();
      }
      return true;
    } catch (err) {
      this.retryAt = now + RETRY_MS;
      const reason = `cannot write chunk files under ${this.store.dir}: ${errorLine(err)}`;
      if (this.blockedSince === null) {
        this.blockedSince = now;
        this.onBlocked(reason);
      }
      if (now - this.lastLog >= LOG_MS) {
        this.lastLog = now;
        this.log.error(`${reason}; filesystem inputs pause until it works again, and what they already sent stays in memory until delivered (logged at most once a minute)`);
      }
      return false;
    }
  }

  /** Is the storage refusing writes right now (so that waiting inputs stay paused)? */
  get blocked(): boolean {
    return this.blockedSince !== null;
  }

  /** A probe while blocked: try again (the next write will); true once it works. */
  retryDue(now = Date.now()): boolean {
    return this.blockedSince !== null && now >= this.retryAt;
  }

  /**
   * Read a chunk's files back into memory. Unreadable files are quarantined (or deleted) by the
   * store, counted and logged there; `files` keeps the ones that were read.
   */
  load(files: ChunkFiles['files']): EventData {
    const parts: EventData[] = [];
    const readable = files.filter((f) => {
      const r = this.store.load(f.path, f.size);
      if (r.ok) parts.push(r.data);
      return r.ok;
    });
    files.splice(0, files.length, ...readable);
    let json = 0;
    let count = 0;
    for (const p of parts) {
      json += p.starts[p.count]!;
      count += p.count;
    }
    const b = new ChunkBuilder(json, count);
    for (const p of parts) {
      b.append({ buf: p.buf, starts: p.starts, times: p.times, count: p.count }, null);
      p.release();
    }
    return b.seal();
  }

  /** While blocked: try a small write where the chunk files go; unblocks when it works. */
  probe(): void {
    if (!this.retryDue()) return;
    try {
      this.store.probe();
      this.log.info({ after_ms: Date.now() - this.blockedSince! }, 'filesystem storage writable again: inputs resume');
      this.blockedSince = null;
      this.onUnblocked();
    } catch {
      this.retryAt = Date.now() + RETRY_MS;
    }
  }

  /** How many records the files hold (for a log line about a chunk not read back yet). */
  count(files: ChunkFiles['files']): number {
    let n = 0;
    for (const f of files) {
      const r = this.store.peek(f.path);
      if (r.ok) {
        n += r.data.count;
        r.data.release();
      }
    }
    return n;
  }

  reject(files: ChunkFiles['files']): void {
    for (const f of files) this.store.reject(f.path, f.size);
    files.length = 0;
  }

  remove(files: ChunkFiles['files']): void {
    for (const f of files) this.store.remove(f.path, f.size);
    files.length = 0;
  }

  backlog(): BacklogEntry[] {
    return this.store.backlog();
  }
}
