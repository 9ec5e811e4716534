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
  return (((n + 2) / 3) | 0) * 4;
}

export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A Uint32Array over all of `out`'s memory (from its ArrayBuffer's start): base64Words' output. */
export function wordsOf(out: Buffer): Uint32Array {
  return new Uint32Array(out.buffer, 0, out.buffer.byteLength >>> 2);
}

/** A DataView over `src`: base64Words' input. */
export function viewOf(src: Buffer): DataView {
  return new DataView(src.buffer, src.byteOffset, src.length);
}

/** Little-endian word of the four characters of the 24-bit group `v`. */
function quad(v: number): number {
  return PAIR[v >>> 12]! | (PAIR[v & 4095]! << 16);
}

/**
 * Write the base64 of `src[start, end)`, followed by the byte `tail` unless it is -1, into `out` at
 * `at` (room must be there); returns the end offset. Two characters a table lookup, a byte at a
 * time: for any output position and either byte order. On a 4-byte boundary of a little-endian
 * memory, base64Words writes a word at a time, about twice as fast.
 */
export function base64Into(out: Buffer, at: number, src: Buffer, start: number, end: number, tail = -1): number {
  let i = start;
  let o = at;
  const whole = end - ((end - i) % 3);
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
  const g = lastGroup(src, i, end, tail);
  const c = g >>> 24;
  if (c === 0) return o;
  const v = g & 0xffffff;
  out[o] = A[v >>> 18]!;
  out[o + 1] = A[(v >>> 12) & 63]!;
  out[o + 2] = c > 1 ? A[(v >>> 6) & 63]! : PAD;
  out[o + 3] = c > 2 ? A[v & 63]! : PAD;
  return o + 4;
}

/**
 * The last group: the 0 to 2 bytes of src left at `i`, then the tail byte unless it is -1, as
 * `count << 24 | the 24 bits` (bytes from the top, zeros after them); count 0: there is none.
 */
function lastGroup(src: Buffer, i: number, end: number, tail: number): number {
  let c = end - i;
  let v = 0;
  for (let j = 0; j < c; j++) v = (v << 8) | src[i + j]!;
  if (tail >= 0) {
    v = (v << 8) | tail;
    c++;
  }
  return c === 0 ? 0 : (c << 24) | (v << ((3 - c) * 8));
}

/** `=` as the fourth character of a word, and as the third and fourth. */
const PAD_LAST = PAD << 24;
const PAD_TWO = (PAD << 16) | PAD_LAST;

/**
 * base64Into on 4-byte-aligned output with the views made by the caller (once for many records):
 * writes from word `w` of `words` (a wordsOf view) the base64 of `src[start, end)` (`dv` a viewOf
 * it), then of the byte `tail` unless it is -1; returns the next word. Little-endian only.
 */
export function base64Words(words: Uint32Array, w: number, dv: DataView, src: Buffer, start: number, end: number, tail: number): number {
  let i = start;
  const whole12 = end - ((end - start) % 12);
  for (; i < whole12; i += 12) {
    const a = dv.getUint32(i);
    const b = dv.getUint32(i + 4);
    const c = dv.getUint32(i + 8);
    words[w] = quad(a >>> 8);
    words[w + 1] = quad(((a & 255) << 16) | (b >>> 16));
    words[w + 2] = quad(((b & 65535) << 8) | (c >>> 24));
    words[w + 3] = quad(c & 0xffffff);
    w += 4;
  }
  const whole = end - ((end - i) % 3);
  for (; i < whole; i += 3) words[w++] = quad((src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!);
  const g = lastGroup(src, i, end, tail);
  const c = g >>> 24;
  if (c === 0) return w;
  const q = quad(g & 0xffffff);
  words[w] = c === 3 ? q : c === 2 ? (q & 0xffffff) | PAD_LAST : (q & 0xffff) | PAD_TWO;
  return w + 1;
}
