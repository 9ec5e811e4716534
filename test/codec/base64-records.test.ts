import { expect, test } from 'vitest';
import { base64Records, DESC_WORDS, READ_PAST } from '../../src/codec/base64-records.js';
import { BASE64_RECORDS_WASM } from '../../src/codec/base64-records.wasm.js';
// @ts-expect-error: a plain .mjs script, no types
import { assemble, source } from '../../scripts/build-wasm.mjs';
import { seededBytes } from '../helpers/seeded-bytes.js';

test('the committed module is the assembly of base64-records.wat (scripts/build-wasm.mjs)', async () => {
  const built = (await assemble()) as Buffer;
  expect(built.toString('base64')).toBe(BASE64_RECORDS_WASM);
  expect(typeof source(built)).toBe('string');
});

test('records() writes {"Data":"<base64>", then the closing bytes, per record as JSON and toString("base64") would: every length, tail or none, any address', () => {
  const wasm = base64Records(1 << 20)!;
  expect(wasm).toBeDefined();
  const mem = wasm.bytes;
  // what closes a record: `"}` or a partition key, at their own addresses
  const closes = ['"}', '","PartitionKey":"k-1"}', '","PartitionKey":"\\u00e9\\"x"}', ''];
  const closeAt: number[] = [];
  let c = 200000;
  for (const text of closes) {
    closeAt.push(c);
    c += mem.write(text, c, 'utf8') + 3;
  }
  for (let t = 0; t < 400; t++) {
    const n = 1 + (t % 7);
    const want: string[] = [];
    let inAt = 4096 + (t % 13);
    for (let k = 0; k < n; k++) {
      const len = (t * 7 + k * 31) % 101; // 0..100: below, at and over the 12-byte blocks, every remainder
      const rec = seededBytes(len, t * 10 + k + 1);
      const tail = (t + k) % 3 === 0 ? -1 : (t * 37 + k) & 255;
      rec.copy(mem, inAt);
      // garbage after the record: the module may read it (READ_PAST) and must not use it
      mem.fill(0xa5, inAt + len, inAt + len + READ_PAST);
      const w = (256 >>> 2) + k * DESC_WORDS;
      wasm.words[w] = inAt;
      wasm.words[w + 1] = len;
      wasm.words[w + 2] = tail;
      const close = (t + k) % closes.length;
      wasm.words[w + 3] = closeAt[close]!;
      wasm.words[w + 4] = Buffer.byteLength(closes[close]!);
      inAt += len + READ_PAST + (k % 5);
      want.push(`{"Data":"${(tail < 0 ? rec : Buffer.concat([rec, Buffer.from([tail])])).toString('base64')}${closes[close]}`);
    }
    const dst = 65536 + (t % 17);
    mem.fill(0, dst, dst + 8192);
    const end = wasm.records(256, n, dst);
    expect(mem.toString('latin1', dst, end), `trial ${t}`).toBe(want.join(','));
    expect(mem[end]).toBe(0);
  }
});

test('records() of no records writes nothing', () => {
  const wasm = base64Records(65536)!;
  expect(wasm.records(256, 0, 1000)).toBe(1000);
});
