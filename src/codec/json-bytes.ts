import type { ByteWriter } from './byte-writer.js';
import { RawNumber, toJson } from './raw-number.js';

/**
 * JSON text of a value written straight into a ByteWriter as UTF-8, byte for byte what
 * `toJson()` (JSON.stringify, RawNumbers and BigInts as their digits) gives, without making the
 * string first.
 *
 * Why: JSON.stringify builds each record's text in growing parts, joins and flattens them, and
 * the caller then copies the string into the chunk: about 850 bytes of garbage for a 250-byte
 * record (V8's sampling heap profiler with collected objects included: 254 MB per 300k records,
 * most of what the pipeline allocated). Garbage itself costs a scavenge little, but it filled the
 * young generation so fast that V8 grew it to 32 MB; without it, 12 MB serves at the same CPU
 * (see heap-governor.ts). Here short ASCII strings are escaped in one pass over their characters,
 * others written with Buffer#write (native) and escaped in place, numbers as digits: nothing is
 * allocated for the usual record.
 *
 * Same rules as JSON.stringify: toJSON() is called, undefined / functions / symbols are left out
 * of objects and are null in arrays, non-finite numbers are null, lone surrogates are escaped
 * (such a string goes through JSON.stringify), and a cycle or a nesting deeper than
 * JSON.stringify copes with throws what it throws (subtrees past DEEP are handed to it).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** What a byte needs inside a JSON string: 0 nothing, else the escape's extra bytes (1: \x, 5: \u00XX). */
const EXTRA = new Uint8Array(256);
/** The letter of a two-character escape, by byte. */
const SHORT = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) EXTRA[c] = 5;
for (const [c, letter] of [[0x08, 'b'], [0x09, 't'], [0x0a, 'n'], [0x0c, 'f'], [0x0d, 'r'], [QUOTE, '"'], [BACKSLASH, '\\']] as const) {
  EXTRA[c] = 1;
  SHORT[c] = letter.charCodeAt(0);
}
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

/** Past this depth a subtree goes to JSON.stringify (which finds cycles and deep nesting). */
const DEEP = 64;
const SURROGATE = /[\ud800-\udfff]/;
const OBJECT_PROTO = Object.prototype;

/**
 * Write the JSON of `v` (an object, array or scalar whose JSON is defined) at the writer's
 * position. Throws as JSON.stringify would; the caller resets `w.pos` on a throw.
 */
export function writeJson(w: ByteWriter, v: unknown): void {
  if (!writeValue(w, v, '', 0)) w.bytes(NULL);
}

/**
 * An object's JSON without its member `key` (the caller writes that itself: the kubernetes map
 * shared by a pod's records). Returns the number of members written.
 */
export function writeObjectWithout(w: ByteWriter, o: Record<string, unknown>, key: string): number {
  const proto = Object.getPrototypeOf(o) as unknown;
  if (typeof o.toJSON === 'function' || (proto !== OBJECT_PROTO && proto !== null)) {
    // not a plain object (never a record in practice): JSON.stringify's way, the member hidden
    const v = o[key];
    const at = w.pos;
    o[key] = undefined;
    try {
      if (!writeText(w, o)) {
        w.byte(0x7b);
        w.byte(0x7d);
      }
    } finally {
      o[key] = v;
    }
    if (w.buf[at] !== 0x7b || w.buf[w.pos - 1] !== 0x7d) throw new TypeError('the record\'s toJSON() did not give an object');
    return w.pos - at > 2 ? 1 : 0;
  }
  w.byte(0x7b);
  let written = 0;
  for (const k in o) {
    if (k === key) continue;
    const at = w.pos;
    if (written > 0) w.byte(COMMA);
    writeString(w, k);
    w.byte(COLON);
    if (writeValue(w, o[k], k, 1)) written++;
    else w.pos = at;
  }
  w.byte(0x7d);
  return written;
}

/** `key`: the member name or array index toJSON() is called with. */
function writeValue(w: ByteWriter, v: unknown, key: string | number, depth: number): boolean {
  switch (typeof v) {
    case 'string':
      writeString(w, v);
      return true;
    case 'number':
      writeNumber(w, v);
      return true;
    case 'boolean':
      w.bytes(v ? TRUE : FALSE);
      return true;
    case 'bigint':
      w.ascii(v.toString());
      return true;
    case 'object':
      break;
    default:
      return false; // undefined, function, symbol
  }
  if (v === null) {
    w.bytes(NULL);
    return true;
  }
  if (v instanceof RawNumber) {
    w.ascii(v.text);
    return true;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.toJSON === 'function') return writeValue(w, o.toJSON(String(key)), key, depth);
  if (depth >= DEEP) return writeText(w, v);
  if (Array.isArray(v)) {
    w.byte(0x5b);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) w.byte(COMMA);
      if (!writeValue(w, v[i], i, depth + 1)) w.bytes(NULL);
    }
    w.byte(0x5d);
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== OBJECT_PROTO && proto !== null) return writeText(w, v); // boxed primitives, class instances: rare
  w.byte(0x7b);
  let first = true;
  // for-in on a plain object walks its own enumerable string keys in JSON.stringify's order
  for (const k in o) {
    const at = w.pos;
    if (!first) w.byte(COMMA);
    writeString(w, k);
    w.byte(COLON);
    if (writeValue(w, o[k], k, depth + 1)) first = false;
    else w.pos = at;
  }
  w.byte(0x7d);
  return true;
}

/** Anything unusual: toJson's text (JSON.stringify; RawNumbers and BigInts as their digits). */
function writeText(w: ByteWriter, v: unknown): boolean {
  const s = toJson(v) as string | undefined;
  if (s === undefined) return false;
  w.text(s);
  return true;
}

function writeNumber(w: ByteWriter, n: number): void {
  if ((n | 0) === n) {
    writeInt(w, n);
    return;
  }
  if (!Number.isFinite(n)) {
    w.bytes(NULL);
    return;
  }
  w.ascii(String(n));
}

function writeInt(w: ByteWriter, n: number): void {
  w.ensure(11);
  const buf = w.buf;
  let o = w.pos;
  if (n < 0) {
    if (n === -2147483648) {
      w.ascii('-2147483648');
      return;
    }
    buf[o++] = 0x2d;
    n = -n;
  }
  let len = 1;
  for (let t = n; t >= 10; t = (t / 10) | 0) len++;
  for (let p = o + len - 1; p >= o; p--) {
    buf[p] = 0x30 + (n % 10);
    n = (n / 10) | 0;
  }
  w.pos = o + len;
}

/** Strings up to this long are escaped in one pass from their characters (room for 6 bytes each). */
const ONE_PASS = 4096;

/**
 * A JSON string. ASCII text (nearly all log text) is written and escaped in one pass over its
 * characters; other text is written as UTF-8 natively, then the bytes that need it are escaped in
 * place (UTF-8 never uses bytes below 0x80 inside a multi-byte character).
 */
export function writeString(w: ByteWriter, s: string): void {
  const n = s.length;
  if (n <= ONE_PASS) {
    w.ensure(n * 6 + 2);
    const buf = w.buf;
    let o = w.pos;
    buf[o++] = QUOTE;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      const x = EXTRA[c]!;
      if (x === 0) {
        buf[o++] = c;
      } else if (x === 1) {
        buf[o] = BACKSLASH;
        buf[o + 1] = SHORT[c]!;
        o += 2;
      } else {
        buf[o] = BACKSLASH;
        buf[o + 1] = 0x75;
        buf[o + 2] = 0x30;
        buf[o + 3] = 0x30;
        buf[o + 4] = HEX[c >> 4]!;
        buf[o + 5] = HEX[c & 15]!;
        o += 6;
      }
    }
    if (i === n) {
      buf[o] = QUOTE;
      w.pos = o + 1;
      return;
    }
  }
  writeUtf8String(w, s);
}

/** Any string: written as UTF-8 natively, then escaped in place. */
function writeUtf8String(w: ByteWriter, s: string): void {
  const n = s.length;
  w.ensure(n * 3 + 2);
  let buf = w.buf;
  const start = w.pos + 1;
  buf[w.pos] = QUOTE;
  let end = start + buf.write(s, start, 'utf8');
  if (end - start !== n && SURROGATE.test(s)) return writeLone(w, s);
  let extra = 0;
  for (let p = start; p < end; p++) extra += EXTRA[buf[p]!]!;
  if (extra > 0) {
    w.pos = end;
    w.ensure(extra + 1);
    buf = w.buf;
    // move the tail right, escaping on the way (back to front: nothing is overwritten unread)
    let q = end + extra;
    for (let p = end - 1; q !== p + 1; p--) {
      const c = buf[p]!;
      const x = EXTRA[c]!;
      if (x === 0) {
        buf[--q] = c;
      } else if (x === 1) {
        buf[--q] = SHORT[c]!;
        buf[--q] = BACKSLASH;
      } else {
        buf[--q] = HEX[c & 15]!;
        buf[--q] = HEX[c >> 4]!;
        buf[--q] = 0x30;
        buf[--q] = 0x30;
        buf[--q] = 0x75;
        buf[--q] = BACKSLASH;
      }
    }
    end += extra;
  } else {
    w.ensure(1);
    buf = w.buf;
  }
  buf[end] = QUOTE;
  w.pos = end + 1;
}

/** A string with surrogates: JSON.stringify escapes the lone ones (\udxxx), as toJson would. */
function writeLone(w: ByteWriter, s: string): void {
  w.text(JSON.stringify(s));
}
