import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { xxhash3 } from 'hash-wasm';

/**
 * Plain SQLite (sql.js, the same WebAssembly library Wren uses, driven here with SQL the test
 * writes itself) to make a db as Fluent Bit leaves it and to read back the db Wren wrote.
 */
type Value = number | bigint | string | Uint8Array | null;
interface Stmt {
  step(): boolean;
  get(params: null, config: { useBigInt: boolean }): Value[];
  free(): void;
}
interface Db {
  run(sql: string, params?: Value[]): void;
  prepare(sql: string): Stmt;
  exec(sql: string): { columns: string[]; values: Value[][] }[];
  export(): Uint8Array;
  close(): void;
}
const require = createRequire(import.meta.url);
const init = require('sql.js') as () => Promise<{ Database: new (data?: Uint8Array) => Db }>;

export async function openSqlite(bytes?: Uint8Array): Promise<Db> {
  const { Database } = await init();
  return new Database(bytes);
}

/** Fluent Bit's table as its in_tail creates it; `v51` adds 5.1's offset marker columns. */
export function fluentBitSchema(v51: boolean): string {
  return `CREATE TABLE in_tail_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL, offset INTEGER, inode INTEGER, created INTEGER,
    rotated INTEGER DEFAULT 0${v51 ? ', offset_marker INTEGER DEFAULT 0, offset_marker_size INTEGER DEFAULT 0' : ''});`;
}

export interface FbRow {
  name: string;
  offset: number;
  inode: bigint;
  rotated?: boolean;
  marker?: { value: bigint; size: number };
}

/** Write a db as Fluent Bit would leave it (5.1 schema when any row has a marker, or `v51`). */
export async function writeFluentBitDb(path: string, rows: FbRow[], v51 = rows.some((r) => r.marker)): Promise<void> {
  const db = await openSqlite();
  db.run(fluentBitSchema(v51));
  for (const r of rows) {
    if (v51) {
      db.run('INSERT INTO in_tail_files (name, offset, inode, created, rotated, offset_marker, offset_marker_size) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [r.name, r.offset, BigInt.asIntN(64, r.inode), 1700000000, r.rotated ? 1 : 0, BigInt.asIntN(64, r.marker?.value ?? 0n), r.marker?.size ?? 0]);
    } else {
      db.run('INSERT INTO in_tail_files (name, offset, inode, created, rotated) VALUES (?, ?, ?, ?, ?)',
        [r.name, r.offset, BigInt.asIntN(64, r.inode), 1700000000, r.rotated ? 1 : 0]);
    }
  }
  writeFileSync(path, db.export());
  db.close();
}

export interface ReadRow {
  id: number;
  name: string;
  offset: number;
  inode: bigint;
  created: number;
  rotated: number;
  offset_marker: bigint;
  offset_marker_size: number;
}

/** Fluent Bit's columns of every row of the db file at `path`. */
export async function readFluentBitRows(path: string): Promise<ReadRow[]> {
  const db = await openSqlite(readFileSync(path));
  const st = db.prepare('SELECT id, name, offset, inode, created, rotated, offset_marker, offset_marker_size FROM in_tail_files ORDER BY id');
  const rows: ReadRow[] = [];
  while (st.step()) {
    const v = st.get(null, { useBigInt: true });
    rows.push({
      id: Number(v[0]), name: String(v[1]), offset: Number(v[2]), inode: BigInt.asUintN(64, v[3] as bigint), created: Number(v[4]),
      rotated: Number(v[5]), offset_marker: BigInt.asUintN(64, v[6] as bigint), offset_marker_size: Number(v[7]),
    });
  }
  st.free();
  db.close();
  return rows;
}

/** Fluent Bit 5.1's marker: XXH3-64 of the (up to) 32 bytes before `offset` (computed with hash-wasm's main entry). */
export async function fluentBitMarker(content: Buffer, offset: number): Promise<{ value: bigint; size: number }> {
  const size = Math.min(32, offset);
  if (size === 0) return { value: 0n, size: 0 };
  return { value: BigInt(`0x${await xxhash3(content.subarray(offset - size, offset))}`), size };
}
