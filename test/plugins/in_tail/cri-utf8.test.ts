import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_JOIN_SIZE } from '../../../plugins/in_tail/multiline.js';
import { until } from './fake-context.js';
import { useTailHarness } from './harness.js';

// containerd cuts a long line into `P` pieces of 16 KiB (a byte count), so a piece boundary can
// fall inside a multi-byte UTF-8 character. The rejoined record must be the original, byte for byte.

const tail = useTailHarness();
const PIECE = 16 * 1024;
const CHARS = [['ü', 2], ['✓', 3], ['𝄞', 4]] as const;
const TIME = '2025-03-01T10:00:00.123456789Z';

/** `n` bytes of text (ASCII and multi-byte characters, no newline), never ending inside a character. */
function filler(n: number, seed: number): Buffer {
  const pattern = Buffer.from(`lorem ${seed} — ipsum ü dolor ✓ sit 𝄞 amet; `);
  const out = Buffer.alloc(n, 0x78); // 'x' pads the end
  let at = 0;
  while (at + pattern.length <= n) at += pattern.copy(out, at);
  return out;
}

/**
 * A line of (pieces-1) × 16 KiB + k bytes whose every piece boundary falls `into` bytes inside
 * `ch` (so the last piece is the character's remaining k = bytes − into bytes, then `extra` more).
 */
function straddlingLine(ch: string, into: number, pieces: number, extra: number, seed: number): Buffer {
  const c = Buffer.from(ch);
  const parts: Buffer[] = [];
  for (let p = 1; p < pieces; p++) {
    // Piece p ends `into` bytes into a character: the character starts `into` bytes before the boundary.
    const head = p === 1 ? PIECE - into : PIECE - c.length;
    parts.push(filler(head, seed + p), c);
  }
  parts.push(filler(extra, seed));
  const line = Buffer.concat(parts);
  expect(line.length).toBe((pieces - 1) * PIECE + (c.length - into) + extra);
  return line;
}

/** The CRI lines containerd writes for `line` on `stream`: 16 KiB `P` pieces, then the `F` piece. */
function criPieces(line: Buffer, stream = 'stdout'): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < line.length; at += PIECE) {
    const end = Math.min(at + PIECE, line.length);
    out.push(Buffer.from(`${TIME} ${stream} ${end < line.length ? 'P' : 'F'} `), line.subarray(at, end), Buffer.from('\n'));
  }
  return out;
}

async function readBack(lines: Buffer[], fileBytes: Buffer[]): Promise<string[]> {
  const path = join(tail.dir, 'c.log');
  writeFileSync(path, Buffer.concat(fileBytes));
  const e = await tail.run({ path, 'multiline.parser': 'cri', exit_on_eof: 'on', buffer_max_size: '64k' });
  await until(() => e.doneCalls === 1, 20_000);
  expect(e.received).toHaveLength(lines.length);
  return e.lines() as string[];
}

describe('tail multiline.parser cri: UTF-8 characters split across P pieces', () => {
  it('every 2-, 3- and 4-byte character cut at every byte, in chains of 2 to 10 pieces, comes back byte for byte', async () => {
    const lines: Buffer[] = [];
    const names: string[] = [];
    let seed = 0;
    for (const [ch, bytes] of CHARS) {
      for (let into = 1; into < bytes; into++) {
        for (let pieces = 2; pieces <= 10; pieces++) {
          for (const extra of [0, 37]) {
            lines.push(straddlingLine(ch, into, pieces, extra, seed++));
            names.push(`${ch} cut after ${into} of ${bytes} bytes, ${pieces} pieces, +${extra}`);
          }
        }
      }
    }
    expect(lines).toHaveLength((1 + 2 + 3) * 9 * 2);
    const got = await readBack(lines, lines.flatMap((l) => criPieces(l)));
    const wrong = names.filter((_, i) => !Buffer.from(got[i]!, 'utf8').equals(lines[i]!));
    expect(wrong).toEqual([]);
    expect(got.some((l) => l.includes('\uFFFD'))).toBe(false);
  });

  it('stdout and stderr chains interleaved piece by piece each rejoin byte for byte', async () => {
    const out = straddlingLine('𝄞', 3, 5, 11, 1);
    const err = straddlingLine('✓', 1, 4, 0, 2);
    const a = criPieces(out, 'stdout');
    const b = criPieces(err, 'stderr');
    const mixed: Buffer[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i += 3) mixed.push(...a.slice(i, i + 3), ...b.slice(i, i + 3));
    const got = await readBack([out, err], mixed);
    // err's F piece comes before out's, so err's record is first.
    expect(Buffer.from(got[0]!, 'utf8').equals(err)).toBe(true);
    expect(Buffer.from(got[1]!, 'utf8').equals(out)).toBe(true);
  });

  it('a join cut at its size limit ends before the character the limit splits, which starts the next record', async () => {
    // 129 P pieces and the F: the 129th P piece would pass the limit (128 × 16 KiB), which falls
    // 2 bytes into a 4-byte character.
    const line = straddlingLine('𝄞', 2, MAX_JOIN_SIZE / PIECE + 2, 100, 3);
    const path = join(tail.dir, 'c.log');
    writeFileSync(path, Buffer.concat(criPieces(line)));
    const e = await tail.run({ path, 'multiline.parser': 'cri', exit_on_eof: 'on', buffer_max_size: '64k' });
    await until(() => e.doneCalls === 1, 20_000);
    const got = e.lines() as string[];
    expect(got).toHaveLength(2);
    expect(got.some((l) => l.includes('\uFFFD'))).toBe(false);
    expect(Buffer.byteLength(got[0]!)).toBe(MAX_JOIN_SIZE - 2);
    expect(got[1]!.startsWith('𝄞')).toBe(true);
    expect(Buffer.from(got.join(''), 'utf8').equals(line)).toBe(true);
  });
});
