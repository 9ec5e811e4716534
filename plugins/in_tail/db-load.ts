import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { WrenError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { type DbRow, SqliteDb } from './db-sqlite.js';
import { applyWal, asRollbackImage } from './sqlite-wal.js';

/** What is on disk at the db path, ready for SqliteDb.open. */
export interface LoadedDb {
  /** The SQLite image (WAL applied); null when there is none yet. */
  image: Uint8Array | null;
  /** Fluent Bit's `-wal`, `-shm`, `-journal` files beside it, to remove before Wren's first write. */
  sidecars: string[];
  /** Rows from Wren's earlier JSON db format, to be written as SQLite. */
  legacy: DbRow[];
}

/** The db at `path` opened in SQLite: a db that SQLite cannot read is moved aside, offsets start afresh. */
export async function loadDb(path: string, log: Logger): Promise<{ sql: SqliteDb; sidecars: string[]; legacy: DbRow[] }> {
  const loaded = await loadDbImage(path, log);
  try {
    return { sql: await SqliteDb.open(loaded.image), sidecars: loaded.sidecars, legacy: loaded.legacy };
  } catch (err) {
    if (loaded.image === null) throw err;
    const aside = moveAside(path);
    log.error({ db: path, moved_to: aside, err: (err as Error).message }, 'tail: db file is not a readable SQLite database; it was moved aside and offsets start afresh');
    return { sql: await SqliteDb.open(null), sidecars: [], legacy: [] };
  }
}

function moveAside(path: string): string {
  const aside = `${path}.unreadable-${Date.now()}`;
  renameSync(path, aside);
  for (const s of ['-wal', '-shm', '-journal']) rmSync(`${path}${s}`, { force: true });
  return aside;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

async function loadDbImage(path: string, log: Logger): Promise<LoadedDb> {
  const sidecars = ['-wal', '-shm', '-journal'].map((s) => `${path}${s}`).filter((p) => existsSync(p));
  const bytes = readIfExists(path);
  if (bytes === null || bytes.length === 0) return { image: null, sidecars, legacy: [] };
  if (bytes.subarray(0, 16).equals(SQLITE_MAGIC)) {
    let image: Uint8Array = bytes;
    const wal = readIfExists(`${path}-wal`);
    if (wal !== null) {
      const r = applyWal(bytes, wal);
      image = r.image;
      if (r.frames > 0) log.info({ db: path, frames: r.frames }, 'tail: applied the committed pages of the db\'s WAL (Fluent Bit stopped without a checkpoint)');
    }
    return { image: asRollbackImage(image), sidecars, legacy: [] };
  }
  const legacy = parseLegacyJson(bytes);
  if (legacy !== null) {
    log.info({ db: path, files: legacy.length }, 'tail: converting the db from Wren\'s earlier JSON format to SQLite');
    return { image: null, sidecars, legacy };
  }
  const aside = moveAside(path);
  log.error({ db: path, moved_to: aside }, 'tail: db file is neither a SQLite database nor a Wren db; it was moved aside and offsets start afresh');
  return { image: null, sidecars: [], legacy: [] };
}

/** Wren ≤ 0.1 wrote `{ "wren_tail_db": 1, "files": [{ key: "<dev>:<ino>", name, offset, rotated, origin }] }`. */
function parseLegacyJson(bytes: Buffer): DbRow[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  const files = (parsed as { wren_tail_db?: number; files?: unknown }).files;
  if ((parsed as { wren_tail_db?: number }).wren_tail_db !== 1 || !Array.isArray(files)) return null;
  const rows: DbRow[] = [];
  const created = Math.floor(Date.now() / 1000);
  for (const f of files as Record<string, unknown>[]) {
    const m = typeof f.key === 'string' ? /^(\d+):(\d+)$/.exec(f.key) : null;
    if (m === null || typeof f.name !== 'string' || !Number.isSafeInteger(f.offset) || (f.offset as number) < 0) continue;
    rows.push({
      id: rows.length + 1, name: f.name, offset: f.offset as number, ino: BigInt(m[2]!), dev: BigInt(m[1]!), created,
      rotated: f.rotated === true, marker: 0n, markerSize: 0, origin: typeof f.origin === 'string' ? f.origin : undefined,
    });
  }
  return rows;
}

/** Read a file, null when it does not exist; other errors are a config problem. */
function readIfExists(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new WrenError('config', `tail: cannot read db file ${path}: ${(err as Error).message}`, {
      hint: 'check the path and its permissions', cause: err,
    });
  }
}
