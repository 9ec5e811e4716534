import { nodeCrypto } from '../lazy-require.js';

/**
 * A number whose JSON text a JavaScript number cannot hold exactly: an integer past 2^53
 * (9007199254740993), a value out of range (1e400) or with more digits than a double keeps.
 * Records carry it instead of a lossy number, and Wren writes its text back verbatim.
 *
 * JSON.rawJSON is not in Node 20, so `toJSON` hands JSON.stringify a marker string that
 * `toJson()` (the one way records become JSON) swaps back for the digits; a per-process nonce
 * keeps a log line from forging a marker. Only records that hold one pay for the swap.
 */
export class RawNumber {
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  /** The number as it was written. */
  get text(): string {
    return this.#text;
  }

  /** Nearest double, for comparisons. */
  valueOf(): number {
    return Number(this.#text);
  }

  toString(): string {
    return this.#text;
  }

  toJSON(): string {
    used++;
    return mark() + this.#text;
  }
}

/** "\u0001<nonce>#", the nonce random per process; made with the first RawNumber written (node:crypto loads then). */
let MARK = '';
/** The marker as JSON.stringify writes it inside a string. */
let MARKED: RegExp | undefined;
let used = 0;

function mark(): string {
  if (MARK === '') {
    const nonce = nodeCrypto().randomBytes(8).toString('hex');
    MARK = `\u0001${nonce}#`;
    MARKED = new RegExp(`"\\\\u0001${nonce}#(-?[0-9][0-9.eE+-]*)"`, 'g');
  }
  return MARK;
}

/**
 * JSON text of a record or value, numbers kept as they came (RawNumber). Throws what
 * JSON.stringify throws (a cycle, a BigInt, nesting deeper than the stack).
 */
export function toJson(v: unknown): string {
  const before = used;
  let s: string;
  try {
    s = JSON.stringify(v);
  } catch (err) {
    // a BigInt (a msgpack uint64 from a network input): its digits, as a RawNumber's
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err;
    s = JSON.stringify(v, bigintAsRaw);
  }
  return used === before || s === undefined ? s : s.replace(MARKED!, '$1');
}

function bigintAsRaw(_k: string, v: unknown): unknown {
  if (typeof v !== 'bigint') return v;
  used++;
  return mark() + v.toString();
}

/** True when JSON.stringify wrote a RawNumber since `mark` (see `rawMark`). */
export function rawMark(): number {
  return used;
}

/** Swap RawNumber markers in JSON text made by JSON.stringify for their digits. */
export function unmarkRaw(json: string): string {
  return MARKED === undefined ? json : json.replace(MARKED, '$1'); // no marker made: none to swap
}

const VALID = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** True when a JSON number token's text would change (lose digits, overflow) as a double. */
export function isLossy(token: string): boolean {
  if (!VALID.test(token)) return false;
  const n = Number(token);
  if (!Number.isFinite(n)) return true;
  if (n === 0) return /[1-9]/.test(token.replace(/[eE].*$/, ''));
  let digits = 0;
  const mantissa = token.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '');
  digits = mantissa.replace(/0+$/, '').length;
  if (digits <= 15) return false;
  // 16+ significant digits: exact only if the double prints back to the same value
  return !sameValue(token, n);
}

/** Does the shortest round-trip text of `n` denote the same number as `token`? */
function sameValue(token: string, n: number): boolean {
  return normalize(token) === normalize(String(n));
}

/** Digits and a power of ten: "1.50e3" → "15|2", to compare numbers written differently. */
function normalize(t: string): string {
  let s = t.replace(/^-/, '');
  const neg = t.startsWith('-');
  let exp = 0;
  const e = s.search(/[eE]/);
  if (e >= 0) {
    exp = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const dot = s.indexOf('.');
  if (dot >= 0) {
    exp -= s.length - dot - 1;
    s = s.slice(0, dot) + s.slice(dot + 1);
  }
  s = s.replace(/^0+/, '');
  while (s.endsWith('0')) {
    s = s.slice(0, -1);
    exp++;
  }
  return `${neg ? '-' : ''}${s}|${s === '' ? 0 : exp}`;
}
