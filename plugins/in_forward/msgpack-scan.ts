/**
 * msgpack value boundaries without decoding: where a frame ends in a stream of bytes, and where
 * each element of a complete array starts. Only headers are read (a bin or str payload is skipped
 * by its length), so finding a 1 MB PackedForward frame costs a few byte reads, and the decoder
 * runs once, on complete frames only.
 */

/** The bytes are not msgpack (or not the msgpack a Forward client sends). */
export class MsgpackError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'MsgpackError';
  }
}

/** Deeper than any Forward message (records nest maps, but not this far). */
const MAX_DEPTH = 256;

/** Result slots of `header`, reused: no allocation per value. */
interface Header {
  /** Bytes of the value when it has no children: header and payload (a bin's bytes, a str's text). */
  size: number;
  /** Values that follow as its children (an array's items, a map's keys and values). */
  children: number;
}

const u16 = (b: Uint8Array, p: number) => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number) => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;

/** Fixed sizes of 0xc0..0xdf that need no length read (0 = read below, -1 = invalid). */
const FIXED: readonly number[] = [
  1, -1, 1, 1, 0, 0, 0, 0, 0, 0, 5, 9, 2, 3, 5, 9, // c0..cf
  2, 3, 5, 9, 3, 4, 6, 10, 18, 0, 0, 0, 0, 0, 0, 0, // d0..df
];

/**
 * Read the header at `p`. False when the header itself runs past `end` (wait for more bytes).
 * The payload is not checked: `size` may reach past `end`.
 */
function header(b: Uint8Array, p: number, end: number, out: Header): boolean {
  const t = b[p]!;
  out.children = 0;
  if (t < 0x80 || t >= 0xe0) return ((out.size = 1), true); // fixint
  if (t < 0x90) return ((out.size = 1), (out.children = (t & 0x0f) * 2), true); // fixmap
  if (t < 0xa0) return ((out.size = 1), (out.children = t & 0x0f), true); // fixarray
  if (t < 0xc0) return ((out.size = 1 + (t & 0x1f)), true); // fixstr
  const fixed = FIXED[t - 0xc0]!;
  if (fixed > 0) return ((out.size = fixed), true);
  if (fixed < 0) throw new MsgpackError('byte 0xc1 is never used in msgpack', p);
  // a length follows: 1, 2 or 4 bytes
  const lenBytes = t === 0xc4 || t === 0xc7 || t === 0xd9 ? 1 : t === 0xc5 || t === 0xc8 || t === 0xda || t === 0xdc || t === 0xde ? 2 : 4;
  if (p + 1 + lenBytes > end) return false;
  const n = lenBytes === 1 ? b[p + 1]! : lenBytes === 2 ? u16(b, p + 1) : u32(b, p + 1);
  const head = 1 + lenBytes;
  if (t >= 0xdc) {
    out.size = head;
    out.children = t >= 0xde ? n * 2 : n;
  } else if (t >= 0xc7 && t <= 0xc9) {
    out.size = head + 1 + n; // ext: a type byte, then the data
  } else {
    out.size = head + n; // bin8/16/32, str8/16/32
  }
  return true;
}

/**
 * Finds where each msgpack value of a byte stream ends, across reads: `scan` resumes where the
 * previous call stopped, so a frame that arrives in many pieces is walked once.
 */
export class FrameScanner {
  /** Offset reached, relative to the frame's first byte (may be past the bytes held: a payload still arriving). */
  private pos = 0;
  /** Children still to read, per open array or map. */
  private readonly stack: number[] = [];
  private started = false;
  private need = 1;
  private readonly h: Header = { size: 0, children: 0 };

  constructor(private readonly maxBytes: number) {}

  /** Bytes from the frame's start that must be held before scanning again can make progress. */
  get minBytes(): number {
    return this.need;
  }

  /**
   * Scan the frame starting at `start` in `buf`, whose bytes end at `end` (the same start,
   * relative to the same first byte, as in earlier calls for this frame). Returns the frame's end
   * offset, or -1 when more bytes are needed. Throws MsgpackError for bytes that are not msgpack
   * or a frame over `maxBytes`.
   */
  scan(buf: Uint8Array, start: number, end: number): number {
    const stack = this.stack;
    const h = this.h;
    let p = start + this.pos;
    for (;;) {
      if (p > end) break;
      if (this.started && stack.length === 0) {
        this.reset();
        return p;
      }
      if (p === end || !header(buf, p, end, h)) break;
      this.started = true;
      p += h.size;
      if (p - start > this.maxBytes) {
        throw new MsgpackError(`a frame is larger than buffer_max_size (${this.maxBytes} bytes)`, start);
      }
      if (h.children > 0) {
        if (stack.length >= MAX_DEPTH) throw new MsgpackError(`values nest deeper than ${MAX_DEPTH} levels`, p);
        stack.push(h.children);
        continue;
      }
      // a value is complete: count it against its parents
      while (stack.length > 0) {
        const i = stack.length - 1;
        if (--stack[i]! > 0) break;
        stack.pop();
      }
    }
    this.pos = p - start;
    // a payload still arriving ends at pos; a header cut short needs at least one more byte
    this.need = p > end ? this.pos : this.pos + 1;
    return -1;
  }

  /** Forget a frame in progress (the connection is being closed or restarted). */
  reset(): void {
    this.pos = 0;
    this.stack.length = 0;
    this.started = false;
    this.need = 1;
  }
}

/** The offset after the complete value at `p` (the caller knows the value is whole, below `end`). */
export function skipValue(buf: Uint8Array, p: number, end: number): number {
  const h: Header = { size: 0, children: 0 };
  let pending = 1;
  while (pending > 0) {
    if (p >= end || !header(buf, p, end, h)) throw new MsgpackError('value is cut short', p);
    p += h.size;
    pending += h.children - 1;
  }
  if (p > end) throw new MsgpackError('value is cut short', end);
  return p;
}

/** The number of items of the array whose header is at `p`, and where its first item starts; null if not an array. */
export function arrayHeader(buf: Uint8Array, p: number, end: number): { count: number; first: number } | null {
  const t = buf[p];
  if (t === undefined) return null;
  if (t >= 0x90 && t <= 0x9f) return { count: t & 0x0f, first: p + 1 };
  if (t === 0xdc && p + 3 <= end) return { count: u16(buf, p + 1), first: p + 3 };
  if (t === 0xdd && p + 5 <= end) return { count: u32(buf, p + 1), first: p + 5 };
  return null;
}

/** The payload of the str or bin value at `p` as [from, to), or null for any other type. */
export function rawBytes(buf: Uint8Array, p: number, end: number): [number, number] | null {
  const t = buf[p];
  if (t === undefined) return null;
  let from: number;
  let n: number;
  if (t >= 0xa0 && t <= 0xbf) (from = p + 1), (n = t & 0x1f);
  else if (t === 0xd9 || t === 0xc4) (from = p + 2), (n = buf[p + 1]!);
  else if (t === 0xda || t === 0xc5) (from = p + 3), (n = u16(buf, p + 1));
  else if (t === 0xdb || t === 0xc6) (from = p + 5), (n = u32(buf, p + 1));
  else return null;
  if (from + n > end) throw new MsgpackError('value is cut short', p);
  return [from, from + n];
}

/** A short name of the msgpack type at `p`, for error messages. */
export function typeName(buf: Uint8Array, p: number): string {
  const t = buf[p];
  if (t === undefined) return 'nothing';
  if (t < 0x80 || t >= 0xe0 || (t >= 0xcc && t <= 0xd3)) return 'an integer';
  if (t < 0x90 || t === 0xde || t === 0xdf) return 'a map';
  if (t < 0xa0 || t === 0xdc || t === 0xdd) return 'an array';
  if (t < 0xc0 || (t >= 0xd9 && t <= 0xdb)) return 'a string';
  if (t === 0xc0) return 'nil';
  if (t === 0xc2 || t === 0xc3) return 'a boolean';
  if (t >= 0xc4 && t <= 0xc6) return 'binary';
  if (t === 0xca || t === 0xcb) return 'a float';
  return 'an extension';
}
