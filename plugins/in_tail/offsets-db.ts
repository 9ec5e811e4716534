import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { monotonicMs } from '../../src/clock.js';
import { WrenError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { removeStaleTemps, type SyncMode, writeAtomic, writeAtomicSync } from './atomic-write.js';
import type { DbRow, SqliteDb } from './db-sqlite.js';
import { type Marker, NO_MARKER } from './fingerprint.js';
import { loadDb } from './db-load.js';
import { WriteFailures } from './write-failures.js';

/**
 * The `db` file: each followed file's committed offset, in Fluent Bit's SQLite schema (see
 * db-sqlite.ts), so Wren resumes from a Fluent Bit db and Fluent Bit from Wren's.
 *
 * Crash safety: the whole database is written to a fresh temp file (O_EXCL) and renamed over the
 * db (atomic-write.ts), so kill -9 at any point leaves the previous or the new db, never a torn
 * one. Writes are coalesced: at most one in flight and at least `spacingMs` apart, so a busy
 * pipeline does not turn every delivered batch into an fsync; a crash can lose the last moments
 * of commits, which means those lines are read again (never skipped). The spacing grows with what
 * a commit costs on the main thread (SQLite update + export, ~1 ms for a few files, ~10 ms for
 * a thousand): at most COMMIT_CPU_SHARE of the time goes to the db.
 *
 * A write that fails (folder not writable, disk full) keeps the offsets in memory, is retried with
 * a growing delay (up to 5 s), and is logged at most once a minute with the reason.
 */
export const WRITE_SPACING_MS = 100;
const RETRY_MAX_MS = 5000;
/** Share of the main thread the db may take: the spacing is at least the commit cost over this. */
const COMMIT_CPU_SHARE = 0.05;

/** Db paths open in this process: two inputs writing one file would overwrite each other. */
const openPaths = new Set<string>();

export class OffsetsDb {
  private readonly rowsById = new Map<number, DbRow>();
  private readonly dirty = new Map<number, DbRow>();
  private readonly removed = new Set<number>();
  private nextId = 1;
  /** The in-memory database holds changes the file does not have yet. */
  private unsaved = false;
  /** Fluent Bit left `-wal`/`-shm`/`-journal` files: removed before the first write (see dropSidecars). */
  private sidecars: string[] = [];
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastWrite = 0;
  /** Main-thread time of the last commit (ms). */
  private commitCost = 0;
  private readonly failures: WriteFailures;
  private closed = false;
  /** What the db loaded says Wren had seen up to (epoch ns); undefined for a new or Fluent Bit db. */
  savedAt: bigint | undefined;
  /**
   * Start of the tracker's last completed look at the files (epoch ms): every file that existed
   * then is in the db. Written with the db; files created after it were not seen.
   */
  seenAt: number | undefined;
  /** A change that should reach the file now, not after the usual spacing (a rotation, a new file). */
  private urgent = false;
  /** Computes Fluent Bit's offset marker of a row before it is written (set by the tracker). */
  markerOf: ((row: DbRow) => Promise<Marker>) | null = null;
  /** The same, synchronously, from the file at the row's name (commits arriving after the input stopped). */
  markerOfSync: ((row: DbRow) => Marker) | null = null;

  private constructor(
    readonly path: string,
    private readonly sync: SyncMode,
    private readonly log: Logger,
    private readonly spacingMs: number,
    private readonly sql: SqliteDb,
  ) {
    this.failures = new WriteFailures(log, path);
  }

  /** Load the db (missing: empty; Fluent Bit's, with its WAL applied; Wren's older JSON format). */
  static async open(path: string, sync: SyncMode, log: Logger, spacingMs = WRITE_SPACING_MS): Promise<OffsetsDb> {
    if (openPaths.has(path)) {
      throw new WrenError('config', `tail: db file ${path} is used by two tail inputs`, { hint: 'give each tail input its own db path' });
    }
    removeStaleTemps(path);
    const { sql, sidecars, legacy } = await loadDb(path, log);
    const db = new OffsetsDb(path, sync, log, spacingMs, sql);
    db.sidecars = sidecars;
    db.savedAt = sql.savedAt();
    // Until the tracker has looked at the files, the db claims no more than it did when loaded.
    db.seenAt = db.savedAt === undefined ? undefined : Number(db.savedAt / 1_000_000n);
    openPaths.add(path);
    const latest = new Map<bigint, DbRow>();
    for (const r of [...sql.rows(), ...legacy]) {
      db.nextId = Math.max(db.nextId, r.id + 1);
      const prev = latest.get(r.ino);
      // Fluent Bit may hold several rows for an inode; like it, the newest counts.
      if (prev !== undefined) db.removed.add(prev.id);
      latest.set(r.ino, r);
    }
    for (const r of latest.values()) db.rowsById.set(r.id, r);
    for (const r of legacy) db.dirty.set(r.id, r);
    sql.dropOrphans();
    if (db.removed.size > 0 || db.dirty.size > 0) db.changed();
    return db;
  }

  /** Every saved file, as loaded or since changed. */
  rows(): DbRow[] {
    return [...this.rowsById.values()];
  }

  get(id: number): DbRow | undefined {
    return this.rowsById.get(id);
  }

  newId(): number {
    return this.nextId++;
  }

  /**
   * Save a row (a copy is kept). A changed offset drops the old marker until it is recomputed.
   * `urgent`: a file opened, rotated or handed over to its copy; written without waiting for the
   * spacing, so that a crash right after finds the files where they are.
   */
  set(row: DbRow, urgent = false): void {
    const e = this.rowsById.get(row.id);
    if (e && e.name === row.name && e.offset === row.offset && e.ino === row.ino && e.rotated === row.rotated
      && e.origin === row.origin && e.head?.len === row.head?.len && e.head?.hash === row.head?.hash && e.dev === row.dev
      && e.birth === row.birth) return;
    const copy = { ...row };
    if (e === undefined || e.offset !== row.offset || e.ino !== row.ino) {
      copy.marker = NO_MARKER.value;
      copy.markerSize = 0;
    }
    this.rowsById.set(row.id, copy);
    this.removed.delete(row.id);
    this.dirty.set(row.id, copy);
    if (urgent) this.urgent = true;
    this.changed();
  }

  delete(id: number): void {
    if (!this.rowsById.delete(id)) return;
    this.dirty.delete(id);
    this.removed.add(id);
    this.changed();
  }

  private changed(): void {
    if (this.closed) {
      this.flushSync();
      return;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.urgent && this.timer && this.failures.count === 0) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.writing || this.timer || this.closed) return;
    const spacing = this.failures.count > 0 ? Math.min(RETRY_MAX_MS, this.spacingMs * 2 ** this.failures.count)
      : this.urgent ? 0 : Math.max(this.spacingMs, this.commitCost / COMMIT_CPU_SHARE);
    const wait = Math.max(0, this.lastWrite + spacing - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writing = this.writeAsync().finally(() => {
        this.writing = null;
        if ((this.unsaved || this.dirty.size > 0 || this.removed.size > 0) && !this.closed) this.schedule();
      });
    }, wait);
  }

  /** Move pending changes into the in-memory database (on failure they stay pending). */
  private applyPending(rows: DbRow[]): void {
    const removed = [...this.removed];
    if (rows.length === 0 && removed.length === 0) return;
    try {
      this.sql.apply(rows, removed);
    } catch (err) {
      for (const r of rows) if (!this.dirty.has(r.id) && this.rowsById.get(r.id) === r) this.dirty.set(r.id, r);
      throw err;
    }
    for (const id of removed) this.removed.delete(id);
    this.unsaved = true;
  }

  private async writeAsync(): Promise<void> {
    const rows = [...this.dirty.values()];
    this.dirty.clear();
    this.urgent = false;
    if (this.markerOf !== null) {
      for (const r of rows) {
        const m = await this.markerOf(r).catch(() => NO_MARKER);
        r.marker = m.value;
        r.markerSize = m.size;
      }
    }
    const t0 = monotonicMs();
    this.lastWrite = Date.now();
    try {
      this.applyPending(rows);
      if (!this.unsaved) return;
      await this.dropSidecars();
      const image = this.sql.image(this.seenAt);
      this.commitCost = monotonicMs() - t0;
      await writeAtomic(this.path, image, this.sync);
      this.failures.succeeded();
    } catch (err) {
      this.failures.failed(err as NodeJS.ErrnoException);
    }
  }

  private flushSync(): void {
    const rows = [...this.dirty.values()];
    this.dirty.clear();
    if (this.markerOfSync !== null) {
      for (const r of rows) {
        const m = this.markerOfSync(r);
        r.marker = m.value;
        r.markerSize = m.size;
      }
    }
    try {
      this.applyPending(rows);
      if (!this.unsaved) return;
      for (const s of this.sidecars) rmSync(s, { force: true });
      this.sidecars = [];
      writeAtomicSync(this.path, this.sql.image(this.seenAt), this.sync);
      this.failures.succeeded();
    } catch (err) {
      this.failures.failed(err as NodeJS.ErrnoException);
    }
  }

  /**
   * Fluent Bit's WAL (already applied when loading) must go before Wren's db replaces the file:
   * SQLite would otherwise replay its frames onto a database they were not written for. Removed
   * first, a crash in between leaves Fluent Bit's older main file: offsets from before its last
   * checkpoint, so lines are read again, never skipped.
   */
  private async dropSidecars(): Promise<void> {
    for (const s of this.sidecars) await rm(s, { force: true });
    this.sidecars = [];
  }

  /**
   * Write what is pending now and switch to synchronous writes: commits that arrive after the
   * input stopped (batches still draining) are saved at once.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.writing) await this.writing;
    this.flushSync();
    openPaths.delete(this.path);
  }
}
