import { expect, test } from 'vitest';
import { BufferPool } from '../../src/engine/buffer-pool.js';

test('a free buffer of the size asked for, else a free one up to 4x larger, else a new one', () => {
  const pool = new BufferPool(8 * 1024 * 1024, 64 * 1024);
  const big = pool.take(2 * 1024 * 1024);
  expect(big.length).toBe(2 * 1024 * 1024);
  pool.give(big, 0);
  expect(pool.held).toBe(2 * 1024 * 1024);
  // 1 MiB asked for: the free 2 MiB one serves (a chunk would have grown into it)
  expect(pool.take(1024 * 1024)).toBe(big);
  expect(pool.held).toBe(0);
  pool.give(big, 0);
  // 256 KiB asked for: 2 MiB is 8x, too large to pin for a small chunk: a new one
  const small = pool.take(200 * 1024);
  expect(small.length).toBe(256 * 1024);
  expect(pool.held).toBe(2 * 1024 * 1024);
  pool.give(small, 0);
  expect(pool.take(256 * 1024)).toBe(small);
});
