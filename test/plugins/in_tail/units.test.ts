import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommitQueue } from '../../../plugins/in_tail/commit-queue.js';
import { compileExclude, expandGlob } from '../../../plugins/in_tail/glob.js';
import { utf8Boundary } from '../../../plugins/in_tail/line-splitter.js';
import { expandTag } from '../../../plugins/in_tail/tag.js';
import { sleep, tempDir, until } from './fake-context.js';
import { useTailHarness } from './harness.js';

describe('expandTag', () => {
  it('composes tags as Fluent Bit does', () => {
    expect(expandTag('kube.*', '/var/log/containers/a_b_c-12.log')).toBe('kube.var.log.containers.a_b_c-12.log');
    expect(expandTag('*', '/var/log/x.log')).toBe('var.log.x.log');
    expect(expandTag('a.*.b', '/x/y')).toBe('a.x.y.b');
    expect(expandTag('app', '/x/y')).toBe('app');
    expect(expandTag('k.*', 'C:\\logs\\x.log')).toBe('k.C.logs.x.log');
  });
});

describe('globs', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('expands *, ? and [..] per segment, skips dot files, sorts', async () => {
    mkdirSync(join(dir, 'p1', 'c'), { recursive: true });
    mkdirSync(join(dir, 'p2', 'c'), { recursive: true });
    for (const f of ['p1/c/0.log', 'p2/c/0.log', 'p2/c/1.log', 'p2/c/.h.log', 'p2/c/x.txt']) writeFileSync(join(dir, f), '');
    expect(await expandGlob(join(dir, 'p*/c/*.log'))).toEqual([join(dir, 'p1/c/0.log'), join(dir, 'p2/c/0.log'), join(dir, 'p2/c/1.log')]);
    expect(await expandGlob(join(dir, 'p?/c/[!0].log'))).toEqual([join(dir, 'p2/c/1.log')]);
    expect(await expandGlob(join(dir, 'p2/c/.*.log'))).toEqual([join(dir, 'p2/c/.h.log')]);
    expect(await expandGlob(join(dir, 'nope/*.log'))).toEqual([]);
    expect(await expandGlob(join(dir, 'p1/c/0.log'))).toEqual([join(dir, 'p1/c/0.log')]);
  });

  it('exclude patterns are fnmatch without flags: * crosses /', () => {
    expect(compileExclude('*.gz').test('/var/log/a.log.gz')).toBe(true);
    expect(compileExclude('*.gz').test('/var/log/a.log')).toBe(false);
    expect(compileExclude('/var/log/containers/*_kube-system_*').test('/var/log/containers/a_kube-system_b-1.log')).toBe(true);
    expect(compileExclude('/a/[ab].log').test('/a/c.log')).toBe(false);
  });
});

describe('CommitQueue', () => {
  it('moves over the contiguous prefix of finished batches only', () => {
    const commits: number[] = [];
    const q = new CommitQueue(0, (o) => commits.push(o));
    const a = q.add(10);
    const b = q.add(20);
    const c = q.add(30);
    c();
    expect(commits).toEqual([]);
    a();
    expect(commits).toEqual([10]);
    q.advance(35); // lines without events, behind b
    b();
    expect(commits).toEqual([10, 35]);
    expect(q.inFlight).toBe(0);
    q.advance(40);
    expect(commits).toEqual([10, 35, 40]);
  });

  it('ignores completions from before a reset (truncation)', () => {
    const commits: number[] = [];
    const q = new CommitQueue(100, (o) => commits.push(o));
    const old = q.add(200);
    q.reset(0);
    old();
    const fresh = q.add(5);
    fresh();
    expect(commits).toEqual([0, 5]);
  });
});

describe('utf8Boundary', () => {
  it('never cuts inside a character', () => {
    const b = Buffer.from('a€b'); // € is 3 bytes
    expect(utf8Boundary(b, 0, 2)).toBe(1);
    expect(utf8Boundary(b, 0, 3)).toBe(1);
    expect(utf8Boundary(b, 0, 4)).toBe(4);
    expect(utf8Boundary(b, 0, 1)).toBe(1);
  });
});

describe('tail under mem_buf_limit', () => {
  const tail = useTailHarness();

  it('stops reading while paused and resumes where it was: every line once, in order', async () => {
    const path = join(tail.dir, 'big.log');
    const N = 60_000;
    writeFileSync(path, Array.from({ length: N }, (_, i) => `line ${i} ${'y'.repeat(40)}`).join('\n') + '\n');
    const e = await tail.run({ path }, { delivery: 'manual', limitEvents: 10_000 });
    await until(() => e.paused);
    await sleep(100);
    const held = e.received.length;
    expect(held).toBeLessThan(10_000 + 13_000); // one read past the limit at most
    // drain like a slow output, batch by batch
    while (e.received.length < N) {
      const next = e.batches.find((b) => !b.done);
      if (next) e.finish(next);
      await sleep(1);
    }
    for (const b of e.batches) e.finish(b);
    const got = e.lines() as string[];
    expect(got.length).toBe(N);
    expect(got.every((l, i) => l.startsWith(`line ${i} `))).toBe(true);
  });
});
