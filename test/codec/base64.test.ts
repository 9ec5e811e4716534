import { expect, test } from 'vitest';
import { base64Into, base64Length, base64Words, LITTLE_ENDIAN, viewOf, wordsOf } from '../../src/codec/base64.js';
import { seededBytes } from '../helpers/seeded-bytes.js';

test('base64Into writes what toString("base64") writes, at every alignment, with and without a tail byte', () => {
  for (let t = 0; t < 3000; t++) {
    const n = t % 97;
    const srcAt = t % 11;
    const src = seededBytes(n + srcAt + 5, t + 1);
    const tail = t % 3 === 0 ? -1 : (t * 37) & 255;
    const outAt = t % 7;
    // the output's own offset in its memory decides which loop runs: vary it too
    const out = Buffer.alloc(base64Length(n + 1) + 24).subarray(t % 4);
    const end = base64Into(out, outAt, src, srcAt, srcAt + n, tail);
    const plain = src.subarray(srcAt, srcAt + n);
    const want = (tail < 0 ? plain : Buffer.concat([plain, Buffer.from([tail])])).toString('base64');
    expect(out.toString('latin1', outAt, end), `n ${n} tail ${tail} at ${outAt}`).toBe(want);
    expect(out.subarray(end).every((c) => c === 0)).toBe(true);
  }
});

test('base64Into keeps to the bytes it is given when one output buffer serves several sources', () => {
  const out = Buffer.alloc(4096);
  const a = seededBytes(300, 7);
  const b = seededBytes(300, 9);
  let at = base64Into(out, 0, a, 10, 250, 0x0a);
  at = base64Into(out, at, b, 3, 150);
  at = base64Into(out, at, a, 0, 12);
  const want = Buffer.concat([a.subarray(10, 250), Buffer.from('\n')]).toString('base64') + b.subarray(3, 150).toString('base64') + a.subarray(0, 12).toString('base64');
  expect(out.toString('latin1', 0, at)).toBe(want);
});

test('base64Words writes the same a word at a time on 4-byte-aligned output (little-endian), records one after another', () => {
  if (!LITTLE_ENDIAN) return;
  const out = Buffer.alloc(64 * 1024);
  const words = wordsOf(out);
  for (let t = 0; t < 300; t++) {
    const n = t % 97;
    const src = seededBytes(n + 40, t + 5);
    const from = t % 13;
    const tail = t % 3 === 0 ? -1 : (t * 41) & 255;
    const w0 = (t % 50) * 4;
    out.fill(0);
    const w = base64Words(words, w0, viewOf(src), src, from, from + n, tail);
    const plain = src.subarray(from, from + n);
    const want = (tail < 0 ? plain : Buffer.concat([plain, Buffer.from([tail])])).toString('base64');
    expect(out.toString('latin1', w0 * 4, w * 4), `n ${n} tail ${tail}`).toBe(want);
    expect(out[w * 4]).toBe(0);
  }
});
