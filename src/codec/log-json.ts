import { nodeCrypto } from '../lazy-require.js';
import { isLossy, RawNumber } from './raw-number.js';

/**
 * JSON parsed from log data (merge_log, the json parser, stdin, network inputs): whoever writes
 * the log controls it, so two things JSON.parse does are bounded.
 * - Depth: a value nested deeper than `json.max_depth` is kept as its JSON text (a string), and
 *   counted. (JSON.parse itself copes with any depth; JSON.stringify and every recursive walk
 *   after it do not, and deep records cost ~37× their text in memory.)
 * - Numbers: a number a double cannot hold exactly (past 2^53, 1e400, 17+ digits) becomes a
 *   RawNumber, written back verbatim.
 * Object keys are own data properties (`__proto__` included), as JSON.parse makes them.
 *
 * Lines that need neither (nearly all) go straight to JSON.parse after a cheap check; the others
 * are rewritten (deep values as strings, lossy numbers as marker strings) and parsed natively.
 */

export const DEFAULT_MAX_DEPTH = 64;

export interface LogJsonStats {
  /** Values kept as text because they were nested deeper than the limit. */
  deepValues: number;
  /** Numbers kept as their text (RawNumber). */
  rawNumbers: number;
}

export const logJsonStats: LogJsonStats = { deepValues: 0, rawNumbers: 0 };

let maxDepth = DEFAULT_MAX_DEPTH;
let onFirstDeep: ((depth: number) => void) | undefined;

/** Set the depth limit (`service: json.max_depth`), and who hears about the first deep value. */
export function configureLogJson(o: { maxDepth?: number; onFirstDeep?: (depth: number) => void }): void {
  if (o.maxDepth !== undefined) maxDepth = Math.max(1, Math.floor(o.maxDepth));
  if (o.onFirstDeep !== undefined) onFirstDeep = o.onFirstDeep;
}

export function logJsonMaxDepth(): number {
  return maxDepth;
}

const BIG = 9007199254740992; // 2^53: from here on, integers may have lost digits

/**
 * Does a parsed value need its text: an object or array opening deeper than `limit`, or a number
 * at or past 2^53 in magnitude (or infinite)? Recursion stops at the limit, so any depth is safe
 * when the limit is finite.
 */
function needsText(v: unknown, depth: number, limit: number): boolean {
  if (typeof v === 'number') return v >= BIG || v <= -BIG;
  if (v === null || typeof v !== 'object') return false;
  if (depth >= limit) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if ((typeof x === 'object' || typeof x === 'number') && needsText(x, depth + 1, limit)) return true;
    }
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if ((typeof x === 'object' || typeof x === 'number') && needsText(x, depth + 1, limit)) return true;
  }
  return false;
}

/** The same without recursion (any depth, no limit): for Wren's own bytes. */
function hasBig(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (v >= BIG || v <= -BIG) return true;
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k in o) stack.push(o[k]);
    }
  }
  return false;
}

/**
 * Parse JSON text from log data; throws SyntaxError as JSON.parse does. `limit` defaults to
 * `json.max_depth`; Infinity keeps every level (Wren's own bytes).
 *
 * JSON.parse first (it copes with any depth); a walk then looks for what needs the text: nesting
 * past the limit, or a number at or past 2^53 in magnitude (the integers that may have lost
 * digits, and overflows such as 1e400). Only then is the text rewritten and parsed again.
 * Numbers that JSON.parse rounds below 2^53 (a 20-digit decimal fraction, an underflow such as
 * 1e-400) are not looked for on this path: they are kept as text only when the line is
 * rewritten for another reason.
 */
export function parseLogJson(text: string, limit: number = maxDepth): unknown {
  const v: unknown = JSON.parse(text);
  if (v === null || typeof v !== 'object') return v;
  if (limit === Infinity ? !hasBig(v) : !needsText(v, 0, limit)) return v;
  const r = rewrite(text, limit);
  if (r === null) return v;
  const again: unknown = JSON.parse(r.text);
  if (r.deep > 0) {
    if (logJsonStats.deepValues === 0) onFirstDeep?.(limit);
    logJsonStats.deepValues += r.deep;
  }
  if (r.numbers.length === 0) return again;
  logJsonStats.rawNumbers += r.numbers.length;
  return swap(again, r.numbers);
}

/** Parse a JSON object from log data; undefined for anything else (invalid JSON, arrays, scalars). */
export function parseLogJsonObject(text: string, limit?: number): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = parseLogJson(text, limit);
  } catch {
    return undefined;
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * A lossy number's stand-in while the text is parsed natively: "\u0000<nonce>:<index>", the nonce
 * random per process; made with the first lossy number (node:crypto loads then).
 */
let MARK = '';
let MARK_JSON = '';

function makeMark(): void {
  const nonce = nodeCrypto().randomBytes(6).toString('hex');
  MARK = `\u0000${nonce}:`;
  MARK_JSON = `"\\u0000${nonce}:`;
}

interface Rewritten {
  text: string;
  deep: number;
  numbers: string[];
}

/** End of the string starting at `i` (the index after its closing quote), or -1. */
function stringEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return -1;
}

/** End of the object or array starting at `i` (the index after its closing bracket), or -1. */
function valueEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 34) {
      const e = stringEnd(s, j);
      if (e < 0) return -1;
      j = e - 1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;
}

/**
 * One pass over the text: values opening past `limit` become JSON strings of their text, lossy
 * numbers become markers. Null when nothing needed changing. Malformed text is left malformed
 * (JSON.parse then refuses it), never repaired.
 */
function rewrite(s: string, limit: number): Rewritten | null {
  let out = '';
  let from = 0;
  let depth = 0;
  let deep = 0;
  const numbers: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const e = stringEnd(s, i);
      if (e < 0) return null;
      i = e - 1;
    } else if (c === 123 || c === 91) {
      if (depth < limit) {
        depth++;
        continue;
      }
      const e = valueEnd(s, i);
      if (e < 0) return null;
      out += s.slice(from, i) + JSON.stringify(s.slice(i, e));
      from = e;
      deep++;
      i = e - 1;
    } else if (c === 125 || c === 93) {
      depth--;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let e = i + 1;
      while (e < s.length && isNumberChar(s.charCodeAt(e))) e++;
      const token = s.slice(i, e);
      if (e - i >= 16 || /[eE]/.test(token)) {
        if (isLossy(token)) {
          if (MARK === '') makeMark();
          out += s.slice(from, i) + MARK_JSON + numbers.length + '"';
          numbers.push(token);
          from = e;
        }
      }
      i = e - 1;
    }
  }
  if (deep === 0 && numbers.length === 0) return null;
  return { text: out + s.slice(from), deep, numbers };
}

function swap(v: unknown, numbers: readonly string[]): unknown {
  if (typeof v === 'string') {
    if (!v.startsWith(MARK)) return v;
    const k = Number(v.slice(MARK.length));
    return Number.isInteger(k) && k < numbers.length ? new RawNumber(numbers[k]!) : v;
  }
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = swap(v[i], numbers);
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = swap(o[k], numbers);
  return o;
}
