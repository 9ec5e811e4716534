/**
 * Base64 (standard alphabet, padded) written straight into an output buffer, for the Kinesis and
 * Firehose request bodies (`"Data":"<base64>"`).
 *
 * Node's encoder only makes strings. `toString('base64')` + a latin1 write is about as fast per
 * byte in a tight loop, but in the running pipeline its string per record doubled the garbage
 * collector's share of a Firehose flush (bench/firehose.bench.mjs, profiled: 10% → 6%); this loop
 * writes two output bytes per table lookup and allocates nothing.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const A = Buffer.from(ALPHABET, 'latin1');
/** PAIR[12-bit value] = its two base64 characters, as (first | second << 8) for a little-endian view. */
const PAIR = new Uint16Array(4096);
for (let i = 0; i < 4096; i++) PAIR[i] = A[i >> 6]! | (A[i & 63]! << 8);
const PAD = 0x3d;

/** Length of the base64 text of `n` bytes. */
export function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}

/**
 * Write the base64 of `src[start, end)` into `out` at `at` (room must be there); returns the end
 * offset. Byte-by-byte on the output so that any alignment works.
 */
export function base64Into(out: Buffer, at: number, src: Buffer, start: number, end: number): number {
  let i = start;
  let o = at;
  const whole = end - ((end - start) % 3);
  for (; i < whole; i += 3) {
    const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
    const hi = PAIR[v >>> 12]!;
    const lo = PAIR[v & 4095]!;
    out[o] = hi & 255;
    out[o + 1] = hi >>> 8;
    out[o + 2] = lo & 255;
    out[o + 3] = lo >>> 8;
    o += 4;
  }
  const rest = end - i;
  if (rest === 1) {
    const v = src[i]!;
    out[o] = A[v >> 2]!;
    out[o + 1] = A[(v & 3) << 4]!;
    out[o + 2] = PAD;
    out[o + 3] = PAD;
    o += 4;
  } else if (rest === 2) {
    const v = (src[i]! << 8) | src[i + 1]!;
    out[o] = A[v >> 10]!;
    out[o + 1] = A[(v >> 4) & 63]!;
    out[o + 2] = A[(v & 15) << 2]!;
    out[o + 3] = PAD;
    o += 4;
  }
  return o;
}
