import { appendFileSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep, until } from './fake-context.js';
import { useTailHarness } from './harness.js';
import { checkExactlyOnce, Writer } from './writer.js';

let writer: Writer | undefined;
const tail = useTailHarness(() => {
  writer?.kill();
  writer = undefined;
});
const run = (options: Record<string, string>, tag?: string) => tail.run(options, { tag });

describe('tail rotation with a live writer', () => {
  it('rename+create: the old file is read to its end, the new one from its head; no line lost or doubled', async () => {
    const path = join(tail.dir, 'app.log');
    writeFileSync(path, '');
    const e = await run({ path });
    const N = 3000;
    writer = new Writer(path, N);
    await until(() => statSync(path).size > 0, 5000, 'the writer to start');
    for (let r = 1; r <= 3; r++) {
      await sleep(120);
      renameSync(path, `${path}.${r}`); // logrotate / kubelet: rename…
      await sleep(20); //                 …the writer still appends to the renamed file…
      writer.reopen(); //                 …until it reopens, creating the new file
    }
    expect(await writer.exited).toBe(0);
    await until(() => e.received.length >= N, 8000, `${N} lines`);
    await sleep(100);
    expect(checkExactlyOnce(e.lines(), N)).toEqual({ missing: [], duplicated: [] });
    expect(e.counters.get('files_rotated')).toBe(3);
    await until(() => (e.counters.get('files_closed') ?? 0) === 3, 3000, 'rotated files closed after rotate_wait');
  });

  it('copytruncate: lines read before the copy, the truncation noticed, the rest read from 0', async () => {
    const path = join(tail.dir, 'app.log');
    writeFileSync(path, '');
    const e = await run({ path, offset_key: 'off' });
    const N = 3000;
    writer = new Writer(path, N);
    await until(() => statSync(path).size > 0, 5000, 'the writer to start');
    for (let r = 1; r <= 3; r++) {
      await sleep(120);
      writer.pause();
      await sleep(20); // SIGSTOP lands asynchronously
      // logrotate copytruncate loses what was written between its copy and its truncate; like
      // Fluent Bit, tail must have read the file up to the truncate: wait for that here.
      const size = statSync(path).size;
      const end = (r: { event: { record: Record<string, unknown> } }) => Number(r.event.record.off) + String(r.event.record.log).length + 1;
      await until(() => size === 0 || (e.received.length > 0 && end(e.received.at(-1)!) >= size), 3000, 'caught up');
      copyFileSync(path, `${path}.${r}`);
      truncateSync(path, 0);
      writer.cont();
    }
    expect(await writer.exited).toBe(0);
    await until(() => e.received.length >= N, 8000, `${N} lines`);
    await sleep(100);
    expect(checkExactlyOnce(e.lines(), N)).toEqual({ missing: [], duplicated: [] });
    expect(e.counters.get('files_rotated')).toBe(3); // each copy found and read to its end
  }, 20_000);

  it('notices a truncate followed by regrowth past the old offset between two checks', async () => {
    const path = join(tail.dir, 'app.log');
    writeFileSync(path, 'aaa\nbbb\n');
    const e = await run({ path, inotify_watcher: 'off', watcher_interval: '300ms' });
    await until(() => e.received.length === 2);
    writeFileSync(path, 'cccccccccc\ndddddddddd\n'); // truncate + write, larger than before
    await until(() => e.received.length === 4, 3000);
    expect(e.lines()).toEqual(['aaa', 'bbb', 'cccccccccc', 'dddddddddd']);
  });

  it('deletion: what is left is read, then the file is closed after rotate_wait', async () => {
    const path = join(tail.dir, 'gone.log');
    writeFileSync(path, 'one\n');
    const e = await run({ path });
    await until(() => e.received.length === 1);
    appendFileSync(path, 'two\n');
    rmSync(path);
    await until(() => (e.counters.get('files_closed') ?? 0) === 1, 3000, 'closed');
    expect(e.lines()).toEqual(['one', 'two']);
    writeFileSync(path, 'three\n'); // a new file at the same path is a new file, read from its head
    await until(() => e.received.length === 3, 3000);
    expect(e.lines()[2]).toBe('three');
  });
});

describe('tail paths', () => {
  it('follows kubelet symlinks, tags by the link path, and follows rotation of the target', async () => {
    const pods = join(tail.dir, 'pods', 'shop_checkout-7d9f_0a1b', 'checkout');
    const containers = join(tail.dir, 'containers');
    mkdirSync(pods, { recursive: true });
    mkdirSync(containers);
    const target = join(pods, '0.log');
    const link = join(containers, `checkout-7d9f_shop_checkout-${'ab'.repeat(32)}.log`);
    writeFileSync(target, '2025-01-01T00:00:00Z stdout F first\n');
    symlinkSync(target, link);
    const e = await run({ path: join(containers, '*.log'), 'multiline.parser': 'cri' }, 'kube.*');
    await until(() => e.received.length === 1);
    expect(e.received[0]!.tag).toBe(`kube.${link.slice(1).replaceAll('/', '.')}`);
    appendFileSync(target, '2025-01-01T00:00:01Z stdout F second\n');
    renameSync(target, `${target}.20250101-000002`); // kubelet rotation: rename, the runtime reopens 0.log
    appendFileSync(`${target}.20250101-000002`, '2025-01-01T00:00:02Z stdout F third\n');
    writeFileSync(target, '2025-01-01T00:00:03Z stdout F fourth\n');
    await until(() => e.received.length === 4, 3000);
    expect(e.lines().sort()).toEqual(['first', 'fourth', 'second', 'third']);
    expect(new Set(e.received.map((r) => r.tag)).size).toBe(1);
  });

  it('a glob gains a file while running: it is read from its head; exclude_path keeps others out', async () => {
    writeFileSync(join(tail.dir, 'a.log'), 'a1\n');
    const e = await run({ path: join(tail.dir, '*.log'), exclude_path: '*.skip.log' });
    await until(() => e.received.length === 1);
    writeFileSync(join(tail.dir, 'b.log'), 'b1\nb2\n');
    writeFileSync(join(tail.dir, 'c.skip.log'), 'c1\n');
    writeFileSync(join(tail.dir, '.hidden.log'), 'h1\n');
    await until(() => e.received.length === 3, 3000);
    await sleep(200);
    expect(e.lines()).toEqual(['a1', 'b1', 'b2']);
    expect(existsSync(join(tail.dir, 'c.skip.log'))).toBe(true);
  });

  it('ignore_older skips files not modified recently', async () => {
    const old = join(tail.dir, 'old.log');
    writeFileSync(old, 'stale\n');
    const past = new Date(Date.now() - 3_600_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(old, past, past);
    writeFileSync(join(tail.dir, 'new.log'), 'fresh\n');
    const e = await run({ path: join(tail.dir, '*.log'), ignore_older: '10m', exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    expect(e.lines()).toEqual(['fresh']);
  });
});
