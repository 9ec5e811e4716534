import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { sha1Hex } from '../../src/codec/sha1.js';

test('sha1Hex gives what node:crypto gives, for every length around the block edges and random bytes', () => {
  expect(sha1Hex(new Uint8Array(0))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  expect(sha1Hex(Buffer.from('abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let n = 0; n <= 1100; n += n < 130 ? 1 : 37) {
    const b = Buffer.from(Array.from({ length: n }, rnd));
    expect(sha1Hex(b), `${n} bytes`).toBe(createHash('sha1').update(b).digest('hex'));
  }
  const big = Buffer.alloc(70_000, 0xa5);
  expect(sha1Hex(big)).toBe(createHash('sha1').update(big).digest('hex'));
});
