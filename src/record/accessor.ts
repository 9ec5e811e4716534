/**
 * Fluent Bit record accessors: `log`, `$log`, `$kubernetes['namespace_name']`, `$a['b'][0]`,
 * and templates that mix text with accessors and `$TAG` / `$TAG[n]`.
 * An accessor is compiled once (at config time) into a path; reading it on a record is a loop.
 */

import { RawNumber, toJson } from '../codec/raw-number.js';

export type Path = readonly (string | number)[];

const SEGMENT = /\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\d+))\s*\]/y;

/** `$a['b'][0]` → ['a','b',0]; a plain `key` (no `$`) is one segment. Undefined when malformed. */
export function compileAccessor(text: string): Path | undefined {
  const t = text.trim();
  if (!t.startsWith('$')) return t.length > 0 ? [t] : undefined;
  const m = /^\$([^[\]\s$]+)/.exec(t);
  if (!m) return undefined;
  const path: (string | number)[] = [m[1]!];
  let i = m[0].length;
  while (i < t.length) {
    SEGMENT.lastIndex = i;
    const s = SEGMENT.exec(t);
    if (!s) return undefined;
    path.push(s[3] !== undefined ? Number(s[3]) : (s[1] ?? s[2]!).replace(/\\(.)/g, '$1'));
    i = SEGMENT.lastIndex;
  }
  return path;
}

/** The value at `path`: own fields only (a record's `constructor` is a field or nothing). */
export function getPath(record: Record<string, unknown>, path: Path): unknown {
  let cur: unknown = record;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object' || cur instanceof RawNumber) return undefined;
    const k = path[i]!;
    if (!hasOwn.call(cur, k)) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A value as text for matching and templates: strings as-is, others as JSON (numbers as written). */
export function valueToString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof RawNumber) return v.text;
  return toJson(v);
}

type TemplatePart = string | { path: Path } | { tag: number | null };

/** A compiled template: `app-$kubernetes['namespace_name']`, `$TAG[1]`. */
export interface Template {
  readonly source: string;
  /** Render; undefined when any accessor is missing from the record. */
  render(record: Record<string, unknown>, tag: string): string | undefined;
}

const TEMPLATE_TOKEN = /\$TAG(?:\[(\d+)\])?|\$[A-Za-z0-9_.\-]+(?:\[\s*(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\d+)\s*\])*/g;

export function compileTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of source.matchAll(TEMPLATE_TOKEN)) {
    if (m.index! > last) parts.push(source.slice(last, m.index));
    if (m[0].startsWith('$TAG')) parts.push({ tag: m[1] !== undefined ? Number(m[1]) : null });
    else parts.push({ path: compileAccessor(m[0])! });
    last = m.index! + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  return {
    source,
    render(record, tag) {
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') out += p;
        else if ('tag' in p) {
          if (p.tag === null) out += tag;
          else {
            const piece = tag.split('.')[p.tag];
            if (piece === undefined) return undefined;
            out += piece;
          }
        } else {
          const v = valueToString(getPath(record, p.path));
          if (v === undefined) return undefined;
          out += v;
        }
      }
      return out;
    },
  };
}
