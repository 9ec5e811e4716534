import type { LogEvent } from '../../src/engine/types.js';
import { looksLikeJsonObject, parseJsonObject } from '../../src/parsers/json.js';
import type { Parser } from '../../src/parsers/types.js';
import { setField } from '../../src/record/fields.js';

export interface MergeOptions {
  /** Put merged fields under this key (merge_log_key). */
  key?: string;
  trim: boolean;
  keepLog: boolean;
  /** merge_parser; JSON when absent. */
  parser?: Parser;
}

/** Fluent Bit's value_trim_size: drop trailing newlines and literal `\n` / `\r` pairs. */
export function trimValue(s: string): string {
  let end = s.length;
  for (let i = end - 1; i > 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 10) {
      end--;
      continue;
    }
    if (s.charCodeAt(i - 1) === 92 && (c === 110 || c === 114)) {
      end -= 2;
      i--;
    } else break;
  }
  return end === s.length ? s : s.slice(0, end);
}

function trimmed(obj: Record<string, unknown>): Record<string, unknown> {
  for (const k in obj) {
    const v = obj[k];
    if (typeof v === 'string') setField(obj, k, trimValue(v));
  }
  return obj;
}

/**
 * merge_log for one event, as Fluent Bit: a `log` string that parses (JSON object, or
 * merge_parser) or a `log` that already is a map is merged into the record (top level, or under
 * `key`); merged fields win a clash. `parser` (a pod annotation's) replaces merge_parser. `log` stays unless keep_log is off and the merge happened.
 * JSON is parsed only when the text starts (after blanks) with `{`.
 */
export function mergeLog(ev: LogEvent, o: MergeOptions, parser: Parser | undefined = o.parser): void {
  const rec = ev.record;
  const v = rec.log;
  let merged: Record<string, unknown> | undefined;
  if (typeof v === 'string') {
    if (parser !== undefined) {
      const r = parser.parse(v);
      if (r === null) return;
      merged = r.record;
      if (r.time !== undefined) ev.time = r.time;
    } else {
      if (!looksLikeJsonObject(v)) return;
      merged = parseJsonObject(v);
      if (merged === undefined) return;
    }
    if (o.trim) trimmed(merged);
  } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    merged = v as Record<string, unknown>;
  } else return;
  if (!o.keepLog) delete rec.log;
  if (o.key !== undefined) {
    for (const _ in merged) {
      setField(rec, o.key, merged);
      break;
    }
    return;
  }
  for (const k in merged) setField(rec, k, merged[k]);
}
