import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST, FakeEngine, sleep, tempDir, until } from './fake-context.js';
import { readFluentBitRows } from './sqlite-file.js';

let dir: string;
let cleanup: () => void;
const engines: FakeEngine[] = [];
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop().catch(() => undefined);
  cleanup();
});

async function start(options: Record<string, string>, fake: ConstructorParameters<typeof FakeEngine>[0] = {}): Promise<FakeEngine> {
  const e = new FakeEngine(fake);
  engines.push(e);
  await e.create({ ...FAST, read_from_head: 'on', ...options });
  await e.instance.start();
  return e;
}

const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `l${from + i}`);
const dbOffsets = (db: string) => readFluentBitRows(db);

describe('tail db', () => {
  it('restart resumes exactly after the last delivered line', async () => {
    const log = join(dir, 'a.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, `${lines(0, 10).join('\n')}\n`);
    const first = await start({ path: log, db });
    await until(() => first.received.length === 10);
    await first.stop();
    engines.length = 0;
    appendFileSync(log, `${lines(10, 15).join('\n')}\n`);
    const second = await start({ path: log, db });
    await until(() => second.received.length === 5);
    await sleep(100);
    expect(second.lines()).toEqual(lines(10, 15));
  });

  it('commits only the contiguous prefix of delivered batches; undelivered lines are read again', async () => {
    const log = join(dir, 'a.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, '');
    const e = await start({ path: log, db }, { delivery: 'manual' });
    for (let b = 0; b < 4; b++) {
      appendFileSync(log, `${lines(b * 5, b * 5 + 5).join('\n')}\n`);
      await until(() => e.batches.length === b + 1);
    }
    // batches 0, 1 and 3 delivered, 2 not (outputs finish out of order)
    e.finish(e.batches[3]!);
    e.finish(e.batches[0]!);
    e.finish(e.batches[1]!);
    await e.stop();
    engines.length = 0;
    expect((await dbOffsets(db))[0]!.offset).toBe(30); // "l0\n".."l9\n" = 10 lines of 3 bytes
    const again = await start({ path: log, db });
    await until(() => again.received.length === 10);
    expect(again.lines()).toEqual(lines(10, 20));
  });

  it('an open CRI join is not committed: after a restart it is read and joined again', async () => {
    const log = join(dir, 'c.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, '2025-01-01T00:00:00Z stdout F one\n2025-01-01T00:00:01Z stdout P tw\n');
    const e = await start({ path: log, db, 'multiline.parser': 'cri', 'multiline.flush': '10s' });
    await until(() => e.received.length === 1);
    await sleep(150);
    await e.stop();
    engines.length = 0;
    expect((await dbOffsets(db))[0]!.offset).toBe(34);
    appendFileSync(log, '2025-01-01T00:00:02Z stdout F o\n');
    const again = await start({ path: log, db, 'multiline.parser': 'cri' });
    await until(() => again.received.length === 1);
    expect(again.lines()).toEqual(['two']);
  });

  it('a file rotated while Wren was down with unread lines is finished after the restart', async () => {
    const log = join(dir, 'app.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, 'a\n');
    const e = await start({ path: log, db, rotate_wait: '10s' });
    await until(() => e.received.length === 1);
    await sleep(120);
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'new\n');
    await until(() => e.received.length === 2);
    await sleep(150); // the rotation is saved in the db
    await e.stop();
    engines.length = 0;
    appendFileSync(`${log}.1`, 'late\n'); // written to the old file after Wren stopped
    const again = await start({ path: log, db }, { tag: 't.*' });
    await until(() => again.received.length === 1);
    await sleep(100);
    expect(again.lines()).toEqual(['late']);
    expect(again.received[0]!.tag).toBe(`t.${log.slice(1).replaceAll('/', '.')}`);
  });

  it('db.compare_filename: an entry only matches the same inode under the same name', async () => {
    const log = join(dir, 'a.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, 'x\n');
    const e = await start({ path: log, db });
    await until(() => e.received.length === 1);
    await e.stop();
    engines.length = 0;
    renameSync(log, join(dir, 'b.log'));
    const again = await start({ path: join(dir, '*.log'), db, 'db.compare_filename': 'on', exit_on_eof: 'on' });
    await until(() => again.doneCalls === 1);
    expect(again.lines()).toEqual(['x']);
  });

  it('kill -9 while the db is being written leaves a readable db', async () => {
    const db = join(dir, 'crash.db');
    const dist = resolve(import.meta.dirname, '../../../dist/plugins/in_tail/offsets-db.js');
    expect(existsSync(dist)).toBe(true);
    // A process saving offsets back to back (no spacing): a kill lands in the middle of a write.
    const script = `
      const { OffsetsDb } = await import(${JSON.stringify(dist)});
      const log = { warn() {}, error() {}, info() {}, debug() {} };
      const db = await OffsetsDb.open(${JSON.stringify(db)}, process.argv[1], log, 0);
      let n = 0;
      const pad = 'p'.repeat(200);
      setInterval(() => { for (let i = 1; i <= 50; i++) db.set({ id: i, name: '/var/log/' + pad + i, offset: n++, ino: BigInt(i), created: 1, rotated: false, marker: 0n, markerSize: 0 }); }, 1);
    `;
    for (const sync of ['off', 'normal', 'full']) {
      rmSync(db, { force: true });
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, sync], { stdio: 'ignore' });
      await until(() => existsSync(db), 10_000, 'the child to write'); // it is writing back to back now
      await sleep(Math.random() * 60);
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      expect((await readFluentBitRows(db)).length).toBe(50);
    }
  }, 60_000);

  it('temp files a crash left are removed; the last complete db is used', async () => {
    const log = join(dir, 'a.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, 'l0\nl1\nl2\n');
    const first = await start({ path: log, db });
    await until(() => first.received.length === 3);
    await first.stop();
    engines.length = 0;
    writeFileSync(`${db}.wren-tmp-1234-0badc0ffee00`, 'SQLite format 3\0torn');
    appendFileSync(log, 'l3\n');
    const again = await start({ path: log, db });
    expect(readdirSync(dir).filter((n) => n.includes('.wren-tmp-'))).toEqual([]);
    await until(() => again.received.length === 1);
    expect(again.lines()).toEqual(['l3']);
  });

  it('a planted symlink never redirects a db write: not at the old temp name, not at the db path', async () => {
    const log = join(dir, 'a.log');
    const db = join(dir, 'tail.db');
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    writeFileSync(log, 'x\n');
    symlinkSync(victim, `${db}.tmp`);
    symlinkSync(victim, db); // read as an unreadable db: moved aside, not written through
    const e = await start({ path: log, db });
    await until(() => e.received.length === 1);
    await e.stop();
    engines.length = 0;
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect((await readFluentBitRows(db)).map((r) => r.offset)).toEqual([2]);
  });

  it('an unwritable db folder is logged once with the reason, not at every commit; writes resume when it is back', async () => {
    const sub = join(dir, 'state');
    mkdirSync(sub);
    const log = join(dir, 'a.log');
    const db = join(sub, 'tail.db');
    writeFileSync(log, 'a\n');
    const e = await start({ path: log, db });
    await until(() => e.received.length === 1);
    await until(() => existsSync(db), 3000, 'the db');
    rmSync(sub, { recursive: true }); // every write now fails (ENOENT), as with a read-only or full disk
    for (let i = 0; i < 20; i++) {
      appendFileSync(log, `b${i}\n`);
      await sleep(30);
    }
    await until(() => e.received.length === 21);
    await sleep(300);
    const errors = e.logs_('cannot write db file');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('ENOENT');
    mkdirSync(sub);
    await until(() => e.logs_('db file written again').length === 1, 8000, 'the db written again');
    expect((await readFluentBitRows(db))[0]!.offset).toBe(readFileSync(log).length);
  });

  it('two tail inputs on one db path: the second is refused with the fix', async () => {
    writeFileSync(join(dir, 'a.log'), 'a\n');
    const db = join(dir, 'tail.db');
    await start({ path: join(dir, 'a.log'), db });
    await expect(start({ path: join(dir, 'a.log'), db })).rejects.toThrow(/used by two tail inputs/);
  });

  it("Wren's earlier JSON db is converted: offsets kept", async () => {
    const log = join(dir, 'a.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, 'l0\nl1\n');
    const { statSync } = await import('node:fs');
    const st = statSync(log, { bigint: true });
    writeFileSync(db, JSON.stringify({ wren_tail_db: 1, files: [{ key: `${st.dev}:${st.ino}`, name: log, offset: 3, rotated: false }] }));
    const e = await start({ path: log, db });
    await until(() => e.received.length === 1);
    await sleep(150);
    await e.stop();
    engines.length = 0;
    expect(e.lines()).toEqual(['l1']);
    expect((await readFluentBitRows(db))[0]).toMatchObject({ name: log, offset: 6, inode: st.ino });
  });
});
