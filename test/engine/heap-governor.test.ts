import { expect, test } from 'vitest';
import { HeapGovernor } from '../../src/engine/heap-governor.js';

function governed() {
  let cpu = 0;
  const flags: string[] = [];
  let collections = 0;
  const buffers = { bytes: 0 };
  const g = new HeapGovernor({ nodeFlags: '', cpuMicros: () => cpu, bufferBytes: () => buffers.bytes, collect: () => collections++, setFlag: (f) => flags.push(f) });
  const tick = (cpuMs: number, n = 1) => {
    for (let i = 0; i < n; i++) {
      cpu += cpuMs * 1000;
      g.tick(250);
    }
  };
  return { g, flags, tick, buffers, collections: () => collections };
}

test('the young generation may grow only after a second of sustained load, and stops growing when the load stops', () => {
  const { g, flags, tick } = governed();
  g.start();
  expect(flags).toEqual(['--semi-space-growth-factor=1']);
  tick(200, 3); // 750 ms busy: a start-up, or the burst before an outage pauses the inputs
  expect(flags.at(-1)).toBe('--semi-space-growth-factor=1');
  tick(10); // quiet again: the count starts over
  tick(200, 3);
  expect(flags.at(-1)).toBe('--semi-space-growth-factor=1');
  tick(200); // a full second of load
  expect(flags.at(-1)).toBe('--semi-space-growth-factor=2');
  tick(10);
  expect(flags.at(-1)).toBe('--semi-space-growth-factor=1');
  g.stop();
});

test('one full collection per quiet stretch, after two quiet seconds, and more only while buffers pile up', () => {
  const { g, tick, buffers, collections } = governed();
  g.start();
  tick(200, 4);
  tick(5, 7);
  expect(collections()).toBe(0);
  tick(5);
  expect(collections()).toBe(1);
  tick(5, 40); // still quiet: nothing more to give back
  expect(collections()).toBe(1);
  buffers.bytes += 5 * 1024 * 1024; // an outage's retries: a request body encoded again each time
  tick(5);
  expect(collections()).toBe(2);
  buffers.bytes += 5 * 1024 * 1024;
  tick(5, 7); // not again within two seconds
  expect(collections()).toBe(2);
  tick(5);
  expect(collections()).toBe(3);
  tick(200, 2);
  tick(5, 8);
  expect(collections()).toBe(4);
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
