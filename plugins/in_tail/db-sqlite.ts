import { createRequire } from 'node:module';
import type { Head } from './fingerprint.js';

/**
 * The offsets db as a SQLite file in Fluent Bit's own schema, so either agent can resume from
 * what the other wrote.
 *
 * `in_tail_files` is Fluent Bit's table, column for column as its in_tail creates it (5.1:
 * `offset_marker`/`offset_marker_size` added by an in-place migration; older Fluent Bit reads the
 * table by position and ignores the two extra columns). `wren_tail_files` holds what only Wren
 * uses, one row per `in_tail_files.id`; Fluent Bit never reads it. Its `inode` is checked on
 * load, so a row whose id Fluent Bit reused for another file after a roll-back is ignored.
 *
 * SQLite is sql.js (SQLite compiled to WebAssembly, no native build), loaded only when a tail input
 * with a `db` starts. It runs in memory: the file is loaded once and every save exports the whole
 * database, which the caller writes atomically (a few KiB for hundreds of files).
 */

/** One followed file, as saved. */
export interface DbRow {
  /** `in_tail_files.id`. */
  id: number;
  /** Where the file lives (for a rotated file, its name after rotation). */
  name: string;
  /** Committed offset: every byte before it has been delivered. */
  offset: number;
  ino: bigint;
  /** Unix seconds when the row was created. */
  created: number;
  /** Renamed away while being read (Fluent Bit's flag; it keeps reading such files until done). */
  rotated: boolean;
  /** Fluent Bit 5.1's check of the bytes before `offset`: XXH3-64 of up to 32 bytes; size 0 = none. */
  marker: bigint;
  markerSize: number;
  // Wren's own state (wren_tail_files); absent in a db Fluent Bit wrote.
  dev?: bigint;
  /** Creation time of the inode (ns), to tell a truncated file from a reused inode; 0: unknown. */
  birth?: bigint;
  /** Fingerprint of the file's first bytes. */
  head?: Head;
  /** The path the file was found at (its tag comes from it) when `name` is a later name. */
  origin?: string;
}

const FB_SCHEMA = `CREATE TABLE IF NOT EXISTS in_tail_files (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL,
  offset  INTEGER,
  inode   INTEGER,
  created INTEGER,
  rotated INTEGER DEFAULT 0,
  offset_marker INTEGER DEFAULT 0,
  offset_marker_size INTEGER DEFAULT 0
);`;

const FB_MIGRATIONS = [
  'ALTER TABLE in_tail_files ADD COLUMN offset_marker INTEGER DEFAULT 0;',
  'ALTER TABLE in_tail_files ADD COLUMN offset_marker_size INTEGER DEFAULT 0;',
];

const WREN_SCHEMA = `CREATE TABLE IF NOT EXISTS wren_tail_files (
  id        INTEGER PRIMARY KEY,
  inode     INTEGER NOT NULL,
  dev       TEXT,
  birth     TEXT,
  head_len  INTEGER,
  head_hash TEXT,
  origin    TEXT
);
CREATE TABLE IF NOT EXISTS wren_tail_meta (
  key   TEXT PRIMARY KEY,
  value TEXT
);`;

type Value = number | bigint | string | Uint8Array | null;
interface Statement {
  bind(values: Value[]): boolean;
  step(): boolean;
  get(params?: Value[] | null, config?: { useBigInt?: boolean }): Value[];
  run(values: Value[]): void;
  free(): boolean;
}
interface Database {
  run(sql: string, params?: Value[]): Database;
  prepare(sql: string): Statement;
  export(): Uint8Array;
  close(): void;
}
type SqlJs = { Database: new (data?: Uint8Array) => Database };

let loading: Promise<SqlJs> | null = null;

/** sql.js, instantiated once per process, on first use. */
function sqlJs(): Promise<SqlJs> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const init = require('sql.js') as (cfg: { locateFile: (f: string) => string }) => Promise<SqlJs>;
    const wasm = require.resolve('sql.js/dist/sql-wasm.wasm');
    return init({ locateFile: () => wasm });
  })();
  return loading;
}

const num = (v: Value): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0);
const big = (v: Value): bigint => (typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(Math.trunc(v)) : 0n);
const str = (v: Value): string | undefined => (typeof v === 'string' ? v : undefined);
/** SQLite integers are signed 64-bit: Fluent Bit stores an unsigned inode or hash by reinterpretation. */
const toU64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const toI64 = (v: bigint): bigint => BigInt.asIntN(64, v);

export class SqliteDb {
  private constructor(private readonly db: Database) {}

  /** Open a db image (null: a new, empty db) and make sure both tables exist. Throws on a malformed image. */
  static async open(image: Uint8Array | null): Promise<SqliteDb> {
    const { Database } = await sqlJs();
    const db = image === null ? new Database() : new Database(image);
    try {
      db.run('PRAGMA journal_mode=MEMORY;');
      db.run(FB_SCHEMA);
      for (const sql of FB_MIGRATIONS) {
        try {
          db.run(sql);
        } catch (err) {
          if (!/duplicate column/i.test((err as Error).message)) throw err;
        }
      }
      db.run(WREN_SCHEMA);
      try {
        db.run('ALTER TABLE wren_tail_files ADD COLUMN birth TEXT;');
      } catch (err) {
        if (!/duplicate column/i.test((err as Error).message)) throw err;
      }
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteDb(db);
  }

  /** Every row, Fluent Bit's columns joined with Wren's where the inode still agrees. */
  rows(): DbRow[] {
    const out: DbRow[] = [];
    const st = this.db.prepare(`SELECT f.id, f.name, f.offset, f.inode, f.created, f.rotated, f.offset_marker, f.offset_marker_size,
        w.dev, w.head_len, w.head_hash, w.origin, w.inode, w.birth
      FROM in_tail_files f LEFT JOIN wren_tail_files w ON w.id = f.id ORDER BY f.id`);
    try {
      while (st.step()) {
        const [id, name, offset, inode, created, rotated, marker, markerSize, dev, headLen, headHash, origin, wInode, birth] = st.get(null, { useBigInt: true });
        const row: DbRow = {
          id: num(id!), name: str(name!) ?? '', offset: Math.max(0, num(offset!)), ino: toU64(big(inode!)), created: num(created!),
          rotated: num(rotated!) !== 0, marker: toU64(big(marker!)), markerSize: num(markerSize!),
        };
        if (wInode !== null && toU64(big(wInode!)) === row.ino) {
          const d = str(dev!);
          if (d !== undefined && /^\d+$/.test(d)) row.dev = BigInt(d);
          const b = str(birth!);
          if (b !== undefined && /^\d+$/.test(b) && b !== '0') row.birth = BigInt(b);
          const h = str(headHash!);
          if (h !== undefined && num(headLen!) > 0) row.head = { len: num(headLen!), hash: h };
          row.origin = str(origin!);
        }
        out.push(row);
      }
    } finally {
      st.free();
    }
    return out;
  }

  /** Write changed rows and remove deleted ones, in one transaction. */
  apply(upserts: Iterable<DbRow>, removed: Iterable<number>): void {
    this.db.run('BEGIN');
    try {
      const fb = this.db.prepare(`INSERT INTO in_tail_files (id, name, offset, inode, created, rotated, offset_marker, offset_marker_size)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, offset = excluded.offset,
        inode = excluded.inode, rotated = excluded.rotated, offset_marker = excluded.offset_marker, offset_marker_size = excluded.offset_marker_size`);
      const wren = this.db.prepare('INSERT OR REPLACE INTO wren_tail_files (id, inode, dev, birth, head_len, head_hash, origin) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const del = this.db.prepare('DELETE FROM in_tail_files WHERE id = ?');
      const delWren = this.db.prepare('DELETE FROM wren_tail_files WHERE id = ?');
      try {
        for (const r of upserts) {
          fb.run([r.id, r.name, r.offset, toI64(r.ino), r.created, r.rotated ? 1 : 0, toI64(r.marker), r.markerSize]);
          wren.run([r.id, toI64(r.ino), r.dev?.toString() ?? null, r.birth?.toString() ?? null, r.head?.len ?? null, r.head?.hash ?? null, r.origin ?? null]);
        }
        for (const id of removed) {
          del.run([id]);
          delWren.run([id]);
        }
      } finally {
        fb.free();
        wren.free();
        del.free();
        delWren.free();
      }
      this.db.run('COMMIT');
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    }
  }

  /** Wren rows whose Fluent Bit row is gone (Fluent Bit deleted it after a roll-back). */
  dropOrphans(): void {
    this.db.run('DELETE FROM wren_tail_files WHERE id NOT IN (SELECT id FROM in_tail_files)');
  }

  /**
   * The whole database file (rollback-journal format), ready to be written, stamped with the
   * time it describes (`seenAtMs`): files created after it are files Wren has not seen (restore.ts).
   */
  image(seenAtMs: number | undefined): Uint8Array {
    if (seenAtMs === undefined) this.db.run("DELETE FROM wren_tail_meta WHERE key = 'saved_at_ns'");
    else this.db.run("INSERT OR REPLACE INTO wren_tail_meta (key, value) VALUES ('saved_at_ns', ?)", [(BigInt(Math.floor(seenAtMs)) * 1_000_000n).toString()]);
    return this.db.export();
  }

  /** When the db was last written by Wren (epoch ns); undefined for a db Wren never wrote. */
  savedAt(): bigint | undefined {
    const st = this.db.prepare("SELECT value FROM wren_tail_meta WHERE key = 'saved_at_ns'");
    try {
      if (!st.step()) return undefined;
      const v = st.get()[0];
      return typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : undefined;
    } finally {
      st.free();
    }
  }

  close(): void {
    this.db.close();
  }
}
