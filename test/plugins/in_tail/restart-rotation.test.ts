import { appendFileSync, copyFileSync, mkdirSync, renameSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST, FakeEngine, sleep, tempDir, until } from './fake-context.js';
import { readFluentBitRows } from './sqlite-file.js';
import { checkExactlyOnce, Writer } from './writer.js';

/**
 * Rotations while Wren is down: on start every db entry's file is found again (by inode in its
 * folder, by the fingerprint of its head) and read to its end from the saved offset; the file now
 * at the path is new and is read from its head, although read_from_head is off here.
 */
let dir: string;
let cleanup: () => void;
let engine: FakeEngine | undefined;
let writer: Writer | undefined;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  writer?.kill();
  writer = undefined;
  await engine?.stop().catch(() => undefined);
  engine = undefined;
  cleanup();
});

async function start(options: Record<string, string>, tag?: string): Promise<FakeEngine> {
  engine = new FakeEngine({ tag });
  await engine.create({ ...FAST, ...options });
  await engine.instance.start();
  return engine;
}

async function stop(): Promise<void> {
  await sleep(150); // the last commits reach the db
  await engine!.stop();
  engine = undefined;
}

const lines = (p: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${p}${from + i}\n`).join('');
const list = (p: string, from: number, to: number) => lines(p, from, to).trim().split('\n');

async function expectLines(e: FakeEngine, want: string[]): Promise<void> {
  await until(() => e.received.length >= want.length, 5000, `${want.length} lines`);
  await sleep(300);
  expect(e.lines().map(String).sort()).toEqual([...want].sort());
}

describe('rotated while Wren was down', () => {
  it('rename + new file: the rest of the renamed file from the saved offset, the new file from its head', async () => {
    const log = join(dir, 'app.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, lines('a', 0, 10));
    const first = await start({ path: log, db, read_from_head: 'on' });
    await until(() => first.received.length === 10);
    await stop();
    appendFileSync(log, lines('a', 10, 15)); // written after Wren stopped
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines('b', 0, 3));
    const e = await start({ path: log, db });
    await expectLines(e, [...list('a', 10, 15), ...list('b', 0, 3)]);
    await until(() => (e.counters.get('files_closed') ?? 0) === 1, 3000, 'the renamed file let go');
    await stop();
    expect((await readFluentBitRows(db)).map((r) => r.name)).toEqual([log]);
  });

  it('renamed twice (app.log → .1 → .2): found by inode in its folder; the generation Wren never saw is read too', async () => {
    const log = join(dir, 'app.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, lines('a', 0, 4));
    const first = await start({ path: log, db, read_from_head: 'on' });
    await until(() => first.received.length === 4);
    await stop();
    appendFileSync(log, lines('a', 4, 9));
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines('b', 0, 2));
    renameSync(`${log}.1`, `${log}.2`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines('c', 0, 2));
    const e = await start({ path: log, db }, 't.*');
    // app.log.1 (the b file) was created and rotated away while Wren was down: read from its head too.
    await expectLines(e, [...list('a', 4, 9), ...list('b', 0, 2), ...list('c', 0, 2)]);
    expect(new Set(e.received.map((r) => r.tag))).toEqual(new Set([`t.${log.slice(1).replaceAll('/', '.')}`]));
  });

  it("kubelet: 0.log renamed to 0.log.<timestamp> behind the container symlink", async () => {
    const pod = join(dir, 'pods', 'ns_web-1_uid', 'app');
    const containers = join(dir, 'containers');
    mkdirSync(pod, { recursive: true });
    mkdirSync(containers);
    const target = join(pod, '0.log');
    const link = join(containers, 'web-1_ns_app-0123.log');
    writeFileSync(target, lines('a', 0, 5));
    symlinkSync(target, link);
    const db = join(dir, 'tail.db');
    const first = await start({ path: join(containers, '*.log'), db, read_from_head: 'on' });
    await until(() => first.received.length === 5);
    await stop();
    appendFileSync(target, lines('a', 5, 12));
    renameSync(target, `${target}.20250101-000000`);
    writeFileSync(target, lines('b', 0, 4));
    const e = await start({ path: join(containers, '*.log'), db }, 'kube.*');
    await expectLines(e, [...list('a', 5, 12), ...list('b', 0, 4)]);
    expect(new Set(e.received.map((r) => r.tag)).size).toBe(1);
  });

  it('copytruncate, the original regrown past the saved offset: the copy continues, the original is new', async () => {
    const log = join(dir, 'app.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, lines('a', 0, 10));
    const first = await start({ path: log, db, read_from_head: 'on' });
    await until(() => first.received.length === 10);
    await stop();
    appendFileSync(log, lines('a', 10, 15));
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, lines('b', 0, 40)); // longer than what Wren had read: a stale offset would land mid-file
    expect(statSync(log).size).toBeGreaterThan(statSync(`${log}.1`).size);
    const e = await start({ path: log, db });
    await expectLines(e, [...list('a', 10, 15), ...list('b', 0, 40)]);
  });

  it('copytruncate, the original still empty: the copy continues, later lines of the original come', async () => {
    const log = join(dir, 'app.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, lines('a', 0, 10));
    const first = await start({ path: log, db, read_from_head: 'on' });
    await until(() => first.received.length === 10);
    await stop();
    appendFileSync(log, lines('a', 10, 12));
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    const e = await start({ path: log, db });
    await expectLines(e, list('a', 10, 12));
    appendFileSync(log, lines('b', 0, 3));
    await expectLines(e, [...list('a', 10, 12), ...list('b', 0, 3)]);
  });

  it('truncated and rewritten in place (no copy): never read from the stale offset, read from the head', async () => {
    const log = join(dir, 'app.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, lines('a', 0, 10));
    const first = await start({ path: log, db, read_from_head: 'on' });
    await until(() => first.received.length === 10);
    await stop();
    writeFileSync(log, lines('z', 0, 30));
    const e = await start({ path: log, db });
    await expectLines(e, list('z', 0, 30));
  });
});

describe('copytruncate while Wren runs', () => {
  it('without waiting for Wren to read up to the copy: the copy is read to its end, no line lost or doubled', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    const e = await start({ path, read_from_head: 'on', inotify_watcher: 'off', watcher_interval: '100ms' });
    const N = 3000;
    writer = new Writer(path, N);
    await until(() => statSync(path).size > 0, 5000, 'the writer to start');
    for (let r = 1; r <= 3; r++) {
      await sleep(150);
      writer.pause(); // logrotate itself loses what is written between its copy and its truncate
      await sleep(20);
      copyFileSync(path, `${path}.${r}`);
      truncateSync(path, 0);
      writer.cont();
      // Only the next rotation waits for this one to be noticed (rotations are minutes or days apart
      // in the field; two within one check would hide the middle copy, which no tail could know).
      await until(() => e.counters.get('files_rotated') === r, 5000, `rotation ${r} noticed`);
    }
    expect(await writer.exited).toBe(0);
    await until(() => e.received.length >= N, 10_000, `${N} lines`);
    await sleep(200);
    expect(checkExactlyOnce(e.lines(), N)).toEqual({ missing: [], duplicated: [] });
  }, 20_000);
});

describe('copytruncate twice: while running, then while down', () => {
  it('the second copy (of content Wren had only begun to read) is found: nothing lost', async () => {
    const log = join(dir, 'app.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, lines('a', 0, 10));
    const e = await start({ path: log, db, read_from_head: 'on' });
    await until(() => e.received.length === 10);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    await until(() => e.counters.get('files_rotated') === 1, 5000, 'the copy noticed');
    appendFileSync(log, lines('b', 0, 5));
    await until(() => e.received.length === 15);
    await stop();
    appendFileSync(log, lines('b', 5, 8)); // written after Wren stopped
    copyFileSync(log, `${log}.2`);
    truncateSync(log, 0);
    appendFileSync(log, lines('c', 0, 4));
    const again = await start({ path: log, db });
    await expectLines(again, [...list('b', 5, 8), ...list('c', 0, 4)]);
  });
});

describe('killed right after noticing a copytruncate, then another copytruncate while down', () => {
  it('the new content Wren had begun (no fingerprint saved yet) is found as a file it never finished: nothing lost', async () => {
    const log = join(dir, 'app.log');
    const db = join(dir, 'tail.db');
    writeFileSync(log, lines('a', 0, 10));
    engine = new FakeEngine({ delivery: 'manual' });
    await engine.create({ ...FAST, path: log, db, read_from_head: 'on' });
    await engine.instance.start();
    const e = engine;
    await until(() => e.received.length === 10);
    for (const b of e.batches) e.finish(b);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0); // the successor is opened empty: no head to fingerprint yet
    await until(() => e.counters.get('files_rotated') === 1, 5000, 'the copy noticed');
    appendFileSync(log, lines('b', 0, 5));
    await until(() => e.received.length === 15); // read and sent, never delivered: in flight at the "kill"
    await stop();
    copyFileSync(log, `${log}.2`);
    truncateSync(log, 0);
    appendFileSync(log, lines('c', 0, 4));
    const again = await start({ path: log, db });
    await expectLines(again, [...list('b', 0, 5), ...list('c', 0, 4)]);
  });
});

describe('a db written between handing a file over to its copy and opening the successor', () => {
  it('a copy of the successor made while down is found by the name the copy was found at (its origin)', async () => {
    const { OffsetsDb } = await import('../../../plugins/in_tail/offsets-db.js');
    const { readHead } = await import('../../../plugins/in_tail/fingerprint.js');
    const { open } = await import('node:fs/promises');
    const log = join(dir, 'app.log');
    const db = join(dir, 'tail.db');
    writeFileSync(`${log}.1`, lines('a', 0, 10)); // the copy Wren was reading, read to its end
    const st = statSync(`${log}.1`, { bigint: true });
    const fh = await open(`${log}.1`, 'r');
    const head = (await readHead(fh, Number(st.size)))!;
    await fh.close();
    const quiet = { info() {}, warn() {}, error() {}, debug() {} } as never;
    const odb = await OffsetsDb.open(db, 'normal', quiet);
    odb.seenAt = Date.now();
    odb.set({ id: 1, name: `${log}.1`, offset: Number(st.size), ino: st.ino, dev: st.dev, birth: st.birthtimeNs, created: 1, rotated: true,
      origin: log, marker: 0n, markerSize: 0, head });
    await odb.close(); // the kill came before the successor's row was written
    await sleep(20);
    writeFileSync(`${log}.2`, lines('b', 0, 6)); // the successor's content, copied away while Wren was down
    writeFileSync(log, lines('c', 0, 3)); //        and the original's new content
    const e = await start({ path: log, db });
    await expectLines(e, [...list('b', 0, 6), ...list('c', 0, 3)]);
  });
});
