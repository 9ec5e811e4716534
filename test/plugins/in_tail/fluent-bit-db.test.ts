import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST, FakeEngine, sleep, tempDir, until } from './fake-context.js';
import { type FbRow, fluentBitMarker, openSqlite, readFluentBitRows, writeFluentBitDb } from './sqlite-file.js';

/**
 * Switching between Fluent Bit and Wren on the same `db`, in both directions: a db as Fluent Bit
 * leaves it (written here with plain SQLite in its schema, offsets mid-file) is resumed with every
 * line delivered exactly once, and the db Wren writes reads back with plain SQLite as Fluent Bit
 * reads it.
 */
let dir: string;
let cleanup: () => void;
const engines: FakeEngine[] = [];
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop().catch(() => undefined);
  cleanup();
});

/** Wren with read_from_head off, as Fluent Bit's default: only the db says where to start. */
async function start(options: Record<string, string>): Promise<FakeEngine> {
  const e = new FakeEngine();
  engines.push(e);
  await e.create({ ...FAST, ...options });
  await e.instance.start();
  return e;
}

const numbered = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}\n`).join('');
/** The offset just after line `n` of a file written by `numbered(prefix, 0, …)`. */
const offsetAfter = (prefix: string, n: number) => Buffer.byteLength(numbered(prefix, 0, n));
const inode = (p: string) => statSync(p, { bigint: true }).ino;

function expectExactlyOnce(got: unknown[], want: string[]): void {
  expect([...got].map(String).sort()).toEqual([...want].sort());
}

describe('a Fluent Bit db', () => {
  it('Fluent Bit 5.1 db (offset markers), offsets mid-file, one file renamed away: every line once', async () => {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    const c1 = join(dir, 'c.log.1'); // Fluent Bit saw c.log rotated to c.log.1 while it still had lines to read
    writeFileSync(a, numbered('a', 0, 100));
    writeFileSync(b, numbered('b', 0, 100));
    writeFileSync(c1, numbered('c', 0, 50));
    const c = join(dir, 'c.log');
    writeFileSync(c, numbered('n', 0, 5)); // c.log's successor, which Fluent Bit had started on
    const rows: FbRow[] = [];
    for (const [path, prefix, n, rotated] of [[a, 'a', 40, false], [b, 'b', 70, false], [c1, 'c', 10, true], [c, 'n', 2, false]] as const) {
      const offset = offsetAfter(prefix, n);
      rows.push({ name: path, offset, inode: inode(path), rotated, marker: await fluentBitMarker(readFileSync(path), offset) });
    }
    const db = join(dir, 'fluent-bit.db');
    await writeFluentBitDb(db, rows);
    const e = await start({ path: join(dir, '*.log'), db });
    const want = [numbered('a', 40, 100), numbered('b', 70, 100), numbered('c', 10, 50), numbered('n', 2, 5)].join('').trim().split('\n');
    await until(() => e.received.length >= want.length, 5000, `${want.length} lines`);
    appendFileSync(a, numbered('a', 100, 110));
    await until(() => e.received.length >= want.length + 10);
    await sleep(200);
    expectExactlyOnce(e.lines(), [...want, ...numbered('a', 100, 110).trim().split('\n')]);
    expect(e.received.find((r) => r.event.record.log === 'c10')!.tag).toBe(e.received.find((r) => r.event.record.log === 'a40')!.tag);
  });

  it("older Fluent Bit schema (no marker columns): resumed by inode, the db upgraded in place; Fluent Bit's db.* keys accepted", async () => {
    const a = join(dir, 'a.log');
    writeFileSync(a, numbered('a', 0, 30));
    const db = join(dir, 'fluent-bit.db');
    await writeFluentBitDb(db, [{ name: a, offset: offsetAfter('a', 25), inode: inode(a) }], false);
    const e = await start({ path: a, db, 'db.sync': 'full', 'db.locking': 'true', 'db.journal_mode': 'delete' });
    await until(() => e.received.length >= 5);
    await sleep(150);
    await e.stop();
    engines.length = 0;
    expectExactlyOnce(e.lines(), numbered('a', 25, 30).trim().split('\n'));
    const [row] = await readFluentBitRows(db);
    expect(row).toMatchObject({ name: a, offset: offsetAfter('a', 30), offset_marker_size: 32 });
  });

  it('a saved offset whose bytes changed while Fluent Bit was down (marker differs, or past the end) is not trusted: read from the head', async () => {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    writeFileSync(a, numbered('a', 0, 20));
    writeFileSync(b, numbered('b', 0, 3));
    const db = join(dir, 'fluent-bit.db');
    const staleMarker = await fluentBitMarker(Buffer.from(numbered('x', 0, 20)), offsetAfter('a', 10));
    await writeFluentBitDb(db, [
      { name: a, offset: offsetAfter('a', 10), inode: inode(a), marker: staleMarker }, // truncated and rewritten past the offset
      { name: b, offset: 10_000, inode: inode(b) }, //                                   truncated below the offset
    ]);
    const e = await start({ path: join(dir, '*.log'), db });
    await until(() => e.received.length >= 23);
    await sleep(150);
    expectExactlyOnce(e.lines(), [...numbered('a', 0, 20).trim().split('\n'), ...numbered('b', 0, 3).trim().split('\n')]);
  });
});

describe('the db Wren writes, read as Fluent Bit reads it', () => {
  it("has Fluent Bit's table and columns, the offsets, inodes and 5.1 markers, and answers Fluent Bit's queries", async () => {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    writeFileSync(a, numbered('a', 0, 50));
    writeFileSync(b, `${numbered('b', 0, 7)}partial`); // a last line without newline is not committed
    const db = join(dir, 'wren.db');
    const e = await start({ path: join(dir, '*.log'), db, read_from_head: 'on' });
    await until(() => e.received.length === 57);
    await sleep(150);
    await e.stop();
    engines.length = 0;
    const before = Math.floor(Date.now() / 1000);
    const rows = await readFluentBitRows(db);
    expect(rows.map((r) => r.name).sort()).toEqual([a, b]);
    for (const r of rows) {
      const content = readFileSync(r.name);
      const committed = r.name === a ? content.length : offsetAfter('b', 7);
      expect(r).toMatchObject({ offset: committed, inode: inode(r.name), rotated: 0 });
      expect({ value: r.offset_marker, size: r.offset_marker_size }).toEqual(await fluentBitMarker(content, committed));
      expect(Math.abs(r.created - before)).toBeLessThan(120);
    }
    const sql = await openSqlite(readFileSync(db));
    const cols = sql.exec('PRAGMA table_info(in_tail_files)')[0]!.values.map((v) => `${v[1]} ${v[2]}`);
    expect(cols).toEqual(['id INTEGER', 'name TEXT', 'offset INTEGER', 'inode INTEGER', 'created INTEGER', 'rotated INTEGER',
      'offset_marker INTEGER', 'offset_marker_size INTEGER']);
    // Fluent Bit ≤ 5.0 looks a file up with SELECT * and reads the offset and inode by position (2, 3).
    const old = sql.exec(`SELECT * FROM in_tail_files WHERE inode=${inode(a)} ORDER BY id DESC`)[0]!.values[0]!;
    expect([Number(old[2]), BigInt(old[3] as number)]).toEqual([readFileSync(a).length, inode(a)]);
    // 5.1 names its columns.
    const v51 = sql.exec(`SELECT id, name, offset, inode, offset_marker, offset_marker_size FROM in_tail_files WHERE inode=${inode(b)} ORDER BY id DESC`)[0]!.values[0]!;
    expect([v51[1], Number(v51[2])]).toEqual([b, offsetAfter('b', 7)]);
    sql.close();
  });

  it('a file rotated away while being read is saved as Fluent Bit saves it: rotated=1 under its new name', async () => {
    const a = join(dir, 'a.log');
    writeFileSync(a, numbered('a', 0, 5));
    const db = join(dir, 'wren.db');
    const e = await start({ path: a, db, read_from_head: 'on', rotate_wait: '30s' });
    await until(() => e.received.length === 5);
    const { renameSync } = await import('node:fs');
    renameSync(a, `${a}.1`);
    await until(() => (e.counters.get('files_rotated') ?? 0) === 1);
    await sleep(200);
    await e.stop();
    engines.length = 0;
    const rows = await readFluentBitRows(db);
    expect(rows.find((r) => r.inode === inode(`${a}.1`))).toMatchObject({ name: `${a}.1`, rotated: 1, offset: offsetAfter('a', 5) });
  });
});

/**
 * Fluent Bit's default journal_mode is WAL: killed without a checkpoint, its latest offsets are
 * only in `<db>-wal`. A real SQLite (the `sqlite3` CLI, Debian package sqlite3) makes such a db;
 * enabled by WREN_TEST_SQLITE3=1 (CI sets it), and failing, not skipping, if sqlite3 is missing.
 */
describe.runIf(process.env.WREN_TEST_SQLITE3 === '1')('a Fluent Bit db left in WAL mode (real sqlite3)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  it('resumes from the offsets in the WAL, then leaves a db sqlite3 checks as sound', async () => {
    expect(spawnSync('sqlite3', ['-version']).status, 'sqlite3 must be installed (apt-get install sqlite3)').toBe(0);
    const a = join(dir, 'a.log');
    writeFileSync(a, numbered('a', 0, 40));
    const db = join(dir, 'fluent-bit.db');
    child = spawn('sqlite3', [db], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.stdin!.write(`PRAGMA journal_mode=WAL;
CREATE TABLE in_tail_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL, offset INTEGER, inode INTEGER, created INTEGER, rotated INTEGER DEFAULT 0);
INSERT INTO in_tail_files (name, offset, inode, created) VALUES ('${a}', ${offsetAfter('a', 5)}, ${inode(a)}, 1700000000);
UPDATE in_tail_files SET offset = ${offsetAfter('a', 30)} WHERE id = 1;
`);
    await until(() => existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 4096 * 2, 10_000, 'the WAL');
    await sleep(100);
    child.kill('SIGKILL'); // as Fluent Bit killed: no checkpoint, the offsets are in the WAL only
    await new Promise((r) => child!.on('exit', r));
    const e = await start({ path: a, db });
    await until(() => e.received.length >= 10);
    await sleep(200);
    await e.stop();
    engines.length = 0;
    expectExactlyOnce(e.lines(), numbered('a', 30, 40).trim().split('\n'));
    expect(existsSync(`${db}-wal`)).toBe(false);
    const check = spawnSync('sqlite3', [db, 'PRAGMA integrity_check; SELECT name, offset FROM in_tail_files;'], { encoding: 'utf8' });
    expect(check.stdout.trim().split('\n')).toEqual(['ok', `${a}|${offsetAfter('a', 40)}`]);
  });
});
