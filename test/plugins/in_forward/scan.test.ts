import { describe, expect, it } from 'vitest';
import { FrameScanner, MsgpackError } from '../../../plugins/in_forward/msgpack-scan.js';
import { pack } from './frames.js';

const VALUES: unknown[] = [
  null, true, 0, 127, -1, -33, 255, 65_535, 2 ** 32, -(2 ** 40), 1.5, '', 'x'.repeat(31), 'y'.repeat(300), 'z'.repeat(70_000),
  Buffer.alloc(3), Buffer.alloc(70_000), [], {}, [1, [2, [3, { a: [4] }]]], Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
  Array.from({ length: 70_000 }, (_, i) => i % 3),
];

describe('msgpack frame scanner', () => {
  it('finds where each value ends, whole or fed in pieces of any size', () => {
    const stream = Buffer.concat(VALUES.map((v) => pack(v)));
    const ends: number[] = [];
    let at = 0;
    for (const v of VALUES) ends.push((at += pack(v).length));
    for (const piece of [1, 2, 3, 7, 64, 4096, stream.length]) {
      const scanner = new FrameScanner(1 << 30);
      const found: number[] = [];
      let start = 0;
      for (let have = Math.min(piece, stream.length); ; have = Math.min(have + piece, stream.length)) {
        while (start < have) {
          if (have < start + scanner.minBytes) break;
          const end = scanner.scan(stream, start, have);
          if (end < 0) break;
          found.push(end);
          start = end;
        }
        if (have === stream.length) break;
      }
      expect(found, `pieces of ${piece}`).toEqual(ends);
    }
  });

  it('refuses 0xc1 and frames over the size limit', () => {
    expect(() => new FrameScanner(100).scan(Buffer.from([0x92, 0x01, 0xc1]), 0, 3)).toThrow(MsgpackError);
    const big = pack(['t', 'x'.repeat(200)]);
    expect(() => new FrameScanner(100).scan(big, 0, 10)).toThrow(/buffer_max_size/);
  });
});
