import { expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HeapGovernor } from '../../src/engine/heap-governor.js';
import { childEnv, ROOT } from '../helpers/cli.js';

/** A governor on a fake clock: tick(cpuMs) is one 100 ms interval in which the process used cpuMs of CPU. */
function governed() {
  let cpu = 0;
  const flags: string[] = [];
  let collections = 0;
  const buffers = { bytes: 0 };
  const heap = { bytes: 8 * 1024 * 1024 };
  const input = { flowing: true };
  const g = new HeapGovernor({ nodeFlags: '', flowing: () => input.flowing, cpuMicros: () => cpu, bufferBytes: () => buffers.bytes, heapBytes: () => heap.bytes, collect: () => collections++, setFlag: (f) => flags.push(f), youngBytes: () => 2 * 1024 * 1024 });
  const tick = (cpuMs: number, n = 1) => {
    for (let i = 0; i < n; i++) {
      cpu += cpuMs * 1000;
      g.tick(100);
    }
  };
  const growing = () => flags.at(-1) === '--semi-space-growth-factor=6'; // from 2 MB to the 12 MB ceiling in one step
  return { g, flags, tick, buffers, heap, input, growing, collections: () => collections };
}

test('the young generation grows under sustained load only, and stops growing once Wren is quiet', () => {
  const { g, flags, tick, growing } = governed();
  g.start();
  expect(flags).toEqual(['--semi-space-growth-factor=1']);
  tick(80); // 100 ms of load is not yet sustained
  expect(growing()).toBe(false);
  tick(80);
  expect(growing()).toBe(true);
  tick(80, 8);
  tick(5, 3); // a dip at full speed (the VM took the core away) changes nothing
  expect(growing()).toBe(true);
  tick(80, 3);
  tick(5, 7); // the last second under 30% of a core: quiet
  expect(growing()).toBe(false);
  g.stop();
});

test('an outage: retries of a few tens of ms every second neither grow the young generation nor keep Wren from being quiet', () => {
  const { g, tick, growing, buffers, input, collections } = governed();
  g.start();
  tick(90); // the burst that fills mem_buf_limit: then the input is paused on it
  input.flowing = false;
  tick(90, 9); // busy (start-up's compiling, the first flushes), but no records come in: no growth
  expect(growing()).toBe(false);
  tick(2, 9);
  for (let s = 0; s < 10; s++) {
    buffers.bytes += 3 * 1024 * 1024; // each retry encodes its request again
    tick(40);
    expect(growing()).toBe(false);
    tick(2, 9);
  }
  // quiet from about 0.7 s after the burst; collected 2 s later, then again as retries pile up buffers
  expect(collections()).toBeGreaterThanOrEqual(3);
  expect(collections()).toBeLessThanOrEqual(5);
  g.stop();
});

test('busy while every input is paused on mem_buf_limit is not load: the young generation grows once records flow again', () => {
  const { g, tick, growing, input } = governed();
  g.start();
  input.flowing = false;
  tick(90, 5);
  expect(growing()).toBe(false);
  input.flowing = true;
  tick(90);
  expect(growing()).toBe(true);
  g.stop();
});

test('one full collection per quiet stretch, and more only while buffers pile up', () => {
  const { g, tick, buffers, heap, collections } = governed();
  g.start();
  tick(80, 10);
  heap.bytes += 6 * 1024 * 1024; // what the load left in the heap
  tick(5, 25); // quiet once the last second is under 30% of a core (7 ticks), then 2 s
  expect(collections()).toBe(0);
  tick(5);
  expect(collections()).toBe(1);
  tick(5, 100); // still quiet: nothing more to give back
  expect(collections()).toBe(1);
  buffers.bytes += 5 * 1024 * 1024;
  tick(5);
  expect(collections()).toBe(2);
  buffers.bytes += 5 * 1024 * 1024;
  tick(5, 19); // not again within two seconds
  expect(collections()).toBe(2);
  tick(5);
  expect(collections()).toBe(3);
  tick(80, 10); // busy again: the next quiet stretch collects once more
  heap.bytes += 6 * 1024 * 1024;
  tick(5, 25);
  expect(collections()).toBe(3);
  tick(5);
  expect(collections()).toBe(4);
  g.stop();
});

test('no forced collection when little came since the last one (start-up): V8\'s memory reducer, which it would put off, does better', () => {
  const { g, tick, heap, collections } = governed();
  g.start();
  tick(80, 10); // the pipeline starting
  heap.bytes += 2 * 1024 * 1024;
  tick(5, 100);
  expect(collections()).toBe(0);
  tick(80, 10); // a load that leaves more behind
  heap.bytes += 3 * 1024 * 1024;
  tick(5, 30);
  expect(collections()).toBe(1);
  g.stop();
});

test('a semi-space size the user gave Node is left alone', () => {
  expect(HeapGovernor.enabled('--max-semi-space-size=8')).toBe(false);
  expect(HeapGovernor.enabled('--max_semi_space_size=8')).toBe(false);
  expect(HeapGovernor.enabled('--min-semi-space-size=4')).toBe(false);
  expect(HeapGovernor.enabled('--max-old-space-size=200')).toBe(true);
  const flags: string[] = [];
  new HeapGovernor({ nodeFlags: '--max-semi-space-size=8', setFlag: (f) => flags.push(f), collect: () => {} }).start().stop();
  expect(flags).toEqual([]);
});

test('the young generation grows to its ceiling (12 MB) in one step and no further, and may grow again once V8 has shrunk it', () => {
  let cpu = 0;
  let young = 2 * 1024 * 1024;
  const flags: string[] = [];
  const g = new HeapGovernor({ nodeFlags: '', cpuMicros: () => cpu, bufferBytes: () => 0, collect: () => {}, setFlag: (f) => flags.push(f), youngBytes: () => young });
  const tick = (cpuMs: number, n = 1) => {
    for (let i = 0; i < n; i++) {
      cpu += cpuMs * 1000;
      g.tick(100);
    }
  };
  g.start();
  tick(80, 3);
  expect(flags.at(-1)).toBe('--semi-space-growth-factor=6');
  young = 12 * 1024 * 1024;
  g.afterScavenge();
  expect(flags.at(-1)).toBe('--semi-space-growth-factor=1');
  tick(80, 5); // still loaded: no growth past the ceiling
  expect(flags.at(-1)).toBe('--semi-space-growth-factor=1');
  young = 4 * 1024 * 1024; // V8's memory reducer shrank it: the step that lands on the ceiling is 3x
  tick(80);
  expect(flags.at(-1)).toBe('--semi-space-growth-factor=3');
  g.stop();
  expect(flags.at(-1)).toBe('--semi-space-growth-factor=2'); // V8's default, as it was found
});

test('in a fresh process, the young generation grows under an allocation load and stays within its ceiling', async () => {
  // a fresh Node (the test runner's own loading has already grown its young generation), run
  // as the CLI runs it: growth held from the start, then the governor
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { HeapGovernor } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'src', 'engine', 'heap-governor.js')).href)};
    HeapGovernor.beforeRun();
    const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const g = new HeapGovernor({ collect: () => {} }).start();
    const keep = [];
    let max = 0;
    const end = Date.now() + 1500;
    while (Date.now() < end) {
      // survivors: a share of what is made lives a while, as records in a batch do
      for (let i = 0; i < 20000; i++) keep.push({ i, s: 'record ' + i, a: [i, i + 1] });
      keep.splice(0, keep.length - 200000);
      await new Promise((r) => setImmediate(r));
      max = Math.max(max, young());
    }
    g.stop();
    console.log(max);`;
  const out = execFileSync(process.execPath, ['--import', join(ROOT, 'test', 'helpers', 'loopback-guard-preload.mjs'), '--input-type=module', '-e', script], { env: childEnv(), encoding: 'utf8' });
  const max = Number(out.trim());
  expect(max).toBeGreaterThan(4 * 1024 * 1024); // it did grow
  expect(max).toBeLessThanOrEqual(12 * 1024 * 1024);
}, 20_000);
