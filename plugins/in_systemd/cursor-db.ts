import { readFileSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WrenError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { DbSync } from './config.js';

interface DbShape {
  wren_systemd_db: 1;
  cursor: string;
}

/** Writes at least this far apart: a busy journal does not turn every delivered batch into an fsync. */
const WRITE_SPACING_MS = 100;

/**
 * The `db` file: the journal cursor of the last delivered entry. A JSON document written to
 * `<db>.tmp`, fsynced (db.sync normal and up), renamed over `<db>` (and the folder fsynced for
 * full / extra): a crash leaves the previous or the new cursor, never a torn one. Writes are
 * coalesced; a crash may lose the last moments of commits, so those entries are read again.
 */
export class CursorDb {
  private cursor: string | undefined;
  private written: string | undefined;
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastWrite = 0;

  private constructor(readonly path: string, private readonly sync: DbSync, private readonly log: Logger) {}

  static open(path: string, sync: DbSync, log: Logger): CursorDb {
    const db = new CursorDb(path, sync, log);
    rmSync(`${path}.tmp`, { force: true });
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return db;
      throw new WrenError('config', `systemd: cannot read db file ${path}: ${(err as Error).message}`, { hint: 'check the path and its permissions', cause: err });
    }
    try {
      const parsed = JSON.parse(text) as DbShape;
      if (typeof parsed.cursor === 'string' && parsed.cursor !== '') db.cursor = db.written = parsed.cursor;
    } catch (err) {
      log.warn({ db: path, err: (err as Error).message }, 'systemd db file is not valid JSON; starting without a cursor');
    }
    return db;
  }

  /** The cursor saved (or last committed). */
  get(): string | undefined {
    return this.cursor;
  }

  /** Commit `cursor`; written soon (coalesced). */
  set(cursor: string): void {
    this.cursor = cursor;
    this.schedule();
  }

  /** Write what is committed and stop. */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    while (this.writing !== null) await this.writing;
    if (this.cursor !== this.written) await this.write();
  }

  private schedule(): void {
    if (this.timer !== null || this.writing !== null) return;
    const wait = Math.max(0, this.lastWrite + WRITE_SPACING_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writing = this.write().finally(() => {
        this.writing = null;
        if (this.cursor !== this.written) this.schedule();
      });
    }, wait);
  }

  private async write(): Promise<void> {
    const cursor = this.cursor;
    if (cursor === undefined || cursor === this.written) return;
    this.lastWrite = Date.now();
    const tmp = `${this.path}.tmp`;
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(JSON.stringify({ wren_systemd_db: 1, cursor } satisfies DbShape) + '\n');
        if (this.sync !== 'off') await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
      if (this.sync === 'full' || this.sync === 'extra') {
        const dir = await open(dirname(this.path), 'r');
        try {
          await dir.sync();
        } finally {
          await dir.close();
        }
      }
      this.written = cursor;
    } catch (err) {
      this.log.error({ db: this.path, err: (err as Error).message }, 'systemd: cannot write the db file; the cursor is kept in memory and written again later');
    }
  }
}

/**
 * Cursor commits in emit order: batches finish out of order, the committed cursor moves only over
 * the contiguous prefix of finished ones (a restart never skips an undelivered entry).
 */
export class CursorQueue {
  private readonly cursors: string[] = [];
  private readonly done: boolean[] = [];
  private head = 0;
  /** Entries dropped from the front of the arrays (sequence number of index 0). */
  private base = 0;

  constructor(private readonly commit: (cursor: string) => void) {}

  /** A batch whose last entry has `cursor`; returns its completion callback. */
  add(cursor: string): () => void {
    const seq = this.base + this.cursors.length;
    this.cursors.push(cursor);
    this.done.push(false);
    let called = false;
    return () => {
      if (called) return;
      called = true;
      this.done[seq - this.base] = true;
      this.advance();
    };
  }

  get inFlight(): number {
    return this.cursors.length - this.head;
  }

  private advance(): void {
    let last: string | undefined;
    while (this.head < this.cursors.length && this.done[this.head]) last = this.cursors[this.head++];
    if (last !== undefined) this.commit(last);
    if (this.head > 1024 && this.head * 2 > this.cursors.length) {
      this.cursors.splice(0, this.head);
      this.done.splice(0, this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
}
