import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WrenError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { DbSync } from './config.js';

/**
 * The `db` file: each tailed file's committed offset, keyed by device+inode (the identity that
 * survives renames) and name.
 *
 * Format and crash safety: a JSON snapshot of all entries, written to `<db>.tmp`, fsynced
 * (`db.sync` normal and up), then renamed over `<db>` (and the folder fsynced for full/extra).
 * rename(2) is atomic, so a kill -9 at any point leaves either the previous or the new snapshot,
 * never a torn one. Writes are coalesced: at most one in flight and at least WRITE_SPACING_MS
 * apart, so a busy pipeline does not turn every delivered batch into an fsync; a crash can lose
 * the last moments of commits, which means those lines are read again (never skipped).
 */
export interface DbEntry {
  /** `<dev>:<inode>` of the file (the target, for symlinks). */
  key: string;
  /** The path it was found at; for a rotated file, its name after rotation. */
  name: string;
  offset: number;
  /** Renamed away while still being read: resumed at start even if no pattern matches its new name. */
  rotated: boolean;
  /** The path it was found at (its tag comes from it), when `name` is a rotated name. */
  origin?: string;
}

interface DbFileShape {
  wren_tail_db: 1;
  files: { key: string; name: string; offset: number; rotated?: boolean; origin?: string }[];
}

export const WRITE_SPACING_MS = 100;

export class OffsetsDb {
  private readonly entries = new Map<string, DbEntry>();
  private dirty = false;
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastWrite = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly sync: DbSync,
    private readonly log: Logger,
    private readonly spacingMs: number,
  ) {}

  /** Load the db (a missing file is an empty db; a stale `.tmp` from a crash is removed). */
  static open(path: string, sync: DbSync, log: Logger, spacingMs = WRITE_SPACING_MS): OffsetsDb {
    const db = new OffsetsDb(path, sync, log, spacingMs);
    rmSync(`${path}.tmp`, { force: true });
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return db;
      throw new WrenError('config', `tail: cannot read db file ${path}: ${(err as Error).message}`, {
        hint: 'check the path and its permissions', cause: err,
      });
    }
    try {
      const parsed = JSON.parse(text) as DbFileShape;
      for (const f of parsed.files) {
        if (typeof f.key === 'string' && typeof f.name === 'string' && Number.isSafeInteger(f.offset) && f.offset >= 0) {
          const origin = typeof f.origin === 'string' ? f.origin : undefined;
          db.entries.set(f.key, { key: f.key, name: f.name, offset: f.offset, rotated: f.rotated === true, origin });
        }
      }
    } catch (err) {
      // Only a hand edit can get here (writes are atomic): start afresh rather than refuse to run.
      log.warn({ db: path, err: (err as Error).message }, 'tail db file is not valid JSON; starting with no saved offsets');
    }
    return db;
  }

  /** The entry for a file identity; with `name`, only if it was saved under that name too. */
  find(key: string, name?: string): DbEntry | undefined {
    const e = this.entries.get(key);
    return e && (name === undefined || e.name === name) ? e : undefined;
  }

  all(): DbEntry[] {
    return [...this.entries.values()];
  }

  set(entry: DbEntry): void {
    const e = this.entries.get(entry.key);
    if (e && e.name === entry.name && e.offset === entry.offset && e.rotated === entry.rotated && e.origin === entry.origin) return;
    this.entries.set(entry.key, { ...entry });
    this.changed();
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.changed();
  }

  private changed(): void {
    this.dirty = true;
    if (this.closed) {
      this.writeSync();
      return;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.writing || this.timer) return;
    const wait = Math.max(0, this.lastWrite + this.spacingMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writing = this.writeAsync().finally(() => {
        this.writing = null;
        if (this.dirty && !this.closed) this.schedule();
      });
    }, wait);
  }

  private snapshot(): string {
    const files = [...this.entries.values()].map((e) => ({ key: e.key, name: e.name, offset: e.offset, rotated: e.rotated, origin: e.origin }));
    return JSON.stringify({ wren_tail_db: 1, files } satisfies DbFileShape);
  }

  private async writeAsync(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    this.lastWrite = Date.now();
    const tmp = `${this.path}.tmp`;
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(this.snapshot());
        if (this.sync !== 'off') await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
      if (this.sync === 'full' || this.sync === 'extra') await syncDir(dirname(this.path));
    } catch (err) {
      this.dirty = true;
      this.log.error({ db: this.path, err: (err as Error).message }, 'tail: cannot write db file; offsets are kept in memory and retried');
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  private writeSync(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const tmp = `${this.path}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, this.snapshot());
        if (this.sync !== 'off') fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      if (this.sync === 'full' || this.sync === 'extra') {
        const d = openSync(dirname(this.path), 'r');
        try { fsyncSync(d); } finally { closeSync(d); }
      }
    } catch (err) {
      this.log.error({ db: this.path, err: (err as Error).message }, 'tail: cannot write db file');
    }
  }

  /**
   * Write what is pending now and switch to synchronous writes: commits that arrive after the
   * input stopped (batches still draining) are saved at once.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.writing) await this.writing;
    this.writeSync();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
