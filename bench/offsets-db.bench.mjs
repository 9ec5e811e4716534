// offsets-db: what the tail input's offsets db costs.
// 1. One db commit (the write the tail input makes at most every 100 ms while offsets move):
//    SQLite UPDATEs + export of the whole db (sql.js, WebAssembly) on the main thread, then the
//    atomic file write (O_EXCL temp, write, fsync for db.sync normal, rename) off it; for 1, 100
//    and 1,000 followed files, all of them changed.
// 2. The tail benchmark's file (BENCH_LINES CRI lines → tail → null, real CLI) with and without
//    a db, runs interleaved (BENCH_RUNS each), medians compared; the difference is mostly loading
//    SQLite's WebAssembly once at start.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, report, ROOT, runWren, tailConfig, writeCriFile } from './lib.mjs';

const dir = benchDir('wren-bench-taildb-');
const { SqliteDb } = await import(join(ROOT, 'dist/plugins/in_tail/db-sqlite.js'));
const { writeAtomic } = await import(join(ROOT, 'dist/plugins/in_tail/atomic-write.js'));

// --- 1. one commit ---------------------------------------------------------------------------------
for (const files of [1, 100, 1000]) {
  const sql = await SqliteDb.open(null);
  const rows = Array.from({ length: files }, (_, i) => ({
    id: i + 1, name: `/var/log/containers/checkout-7d9f8b6c5-x2lqp_shop_checkout-${String(i).padStart(64, 'c')}.log`,
    offset: 0, ino: BigInt(1_000_000 + i), dev: 2049n, birth: 1_700_000_000_000_000_000n, created: 1_700_000_000, rotated: false,
    marker: 0x1234_5678_9abc_def0n, markerSize: 32, head: { len: 1024, hash: 'f'.repeat(40) },
  }));
  const commit = (n) => {
    for (const r of rows) r.offset = n * 1000 + r.id;
    sql.apply(rows, []);
    return sql.image(Date.now());
  };
  for (let n = 0; n < 300; n++) commit(n); // sql.js's WebAssembly is compiled lazily and tiered up: warm up first
  const N = files >= 1000 ? 100 : 500;
  let t0 = performance.now();
  let image;
  for (let n = 0; n < N; n++) image = commit(n + 100);
  const mainMs = (performance.now() - t0) / N;
  const line = { scenario: 'offsets-db commit', files, db_bytes: image.length, main_thread_ms: +mainMs.toFixed(3) };
  for (const sync of ['off', 'normal', 'full']) {
    const W = 50;
    t0 = performance.now();
    for (let n = 0; n < W; n++) await writeAtomic(join(dir, `commit-${files}.db`), commit(n + 1000), sync);
    line[`commit_ms_sync_${sync}`] = +((performance.now() - t0) / W).toFixed(3);
  }
  sql.close();
  console.log(`db commit, ${String(files).padStart(4)} files changed: ${image.length} bytes, SQLite update + export ${mainMs.toFixed(2)} ms on the main thread` +
    ` (${(mainMs / 100 * 100).toFixed(2)}% of a core at one commit per 100 ms); whole commit incl. atomic write: ` +
    `${line.commit_ms_sync_off} ms (db.sync off), ${line.commit_ms_sync_normal} ms (normal), ${line.commit_ms_sync_full} ms (full)`);
  console.log(JSON.stringify(line));
}

// --- 2. the tail benchmark with and without a db (BENCH_LINES=0 skips it) ---------------------------------
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
if (LINES === 0) {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const { file, bytes } = writeCriFile(dir, LINES);
const out = `  outputs:
    - name: null
      match: '*'
`;
const plain = `${tailConfig(file, { memBufLimit: '32M' })}${out}`;
const withDb = plain.replace(/(\n\s+path: [^\n]+)/, `$1\n      db: ${join(dir, 'bench-tail.db')}`);
if (!withDb.includes('db: ')) throw new Error('could not add db to the tail config');
const runs = { plain: [], db: [] };
for (let i = 0; i < RUNS; i++) {
  runs.plain.push(await runWren(plain, { dir }));
  rmSync(join(dir, 'bench-tail.db'), { force: true });
  runs.db.push(await runWren(withDb, { dir }));
}
for (const [name, rs] of Object.entries(runs)) {
  if (rs.some((r) => r.records_out !== LINES)) throw new Error(`${name}: expected ${LINES} records out, got ${rs.map((r) => r.records_out)}`);
  const median = [...rs].sort((a, b) => a.wall_ms - b.wall_ms)[Math.floor(rs.length / 2)];
  report(`tail (cri) → null, ${name === 'db' ? 'with' : 'without'} db (median of ${RUNS})`, median, { events: LINES, bytes });
}
rmSync(dir, { recursive: true, force: true });
