import { compileAccessor, getPath, type Path } from '../../src/record/accessor.js';
import { RawNumber, toJson } from '../../src/codec/raw-number.js';

/**
 * The NEW_TAG of a rewrite_tag rule, read and rendered as Fluent Bit's record accessor translates
 * it (flb_ra_translate):
 * - `$0`…`$9`: a capture of the rule's regex (`$0` the whole match); a capture that did not take
 *   part in the match renders as nothing;
 * - `$TAG`: the record's tag; `$TAG[n]`: its n-th dot-separated part (nothing when out of range);
 * - `$key`, `$key['sub'][0]`: a record field, up to the first `.`, space, `,` or `"` outside
 *   quotes; a missing field renders as nothing; numbers, booleans, null and maps as text
 *   (fractions with six decimals, maps as JSON);
 * - anything else is literal text.
 */
type Part = string | { cap: number } | { tag: true } | { tagPart: number } | { path: Path };

export interface TagTemplate {
  readonly source: string;
  /** Whether rendering needs the regex captures (else a plain test is enough). */
  readonly usesCaptures: boolean;
  render(record: Record<string, unknown>, tag: string, captures: RegExpExecArray | null): string;
}

/** Leading digits as atoi reads them (Fluent Bit takes `$12` as capture 12, then a literal `2`). */
function atoi(s: string, from: number): number {
  let n = 0;
  for (let i = from; i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
}

/** End of a `$key['sub']` accessor starting at `from` (the `$`). */
function accessorEnd(s: string, from: number): number {
  let quotes = 0;
  for (let end = from + 1; end < s.length; end++) {
    const c = s[end];
    if (c === "'") quotes++;
    else if ((quotes & 1) === 1) continue;
    else if (c === '.' || c === ' ' || c === ',' || c === '"') return end;
  }
  return s.length;
}

/** Compile; throws an Error naming the accessor that cannot be read. */
export function compileTagTemplate(source: string): TagTemplate {
  const parts: Part[] = [];
  let lit = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c !== '$' || i + 1 >= source.length) {
      lit += c;
      i++;
      continue;
    }
    const next = source.charCodeAt(i + 1);
    let part: Part;
    if (next >= 48 && next <= 57) {
      part = { cap: atoi(source, i + 1) };
      i += 2;
    } else if (source.startsWith('TAG', i + 1)) {
      const close = source[i + 4] === '[' ? source.indexOf(']', i + 5) : -1;
      if (close > 0) {
        part = { tagPart: atoi(source, i + 5) };
        i = close + 1;
      } else {
        part = { tag: true };
        i += 4;
      }
    } else {
      const end = accessorEnd(source, i);
      const text = source.slice(i, end);
      const path = compileAccessor(text);
      if (!path) throw new Error(`cannot read the record accessor '${text}'`);
      part = { path };
      i = end;
    }
    if (lit) parts.push(lit);
    lit = '';
    parts.push(part);
  }
  if (lit) parts.push(lit);
  const usesCaptures = parts.some((p) => typeof p === 'object' && 'cap' in p);
  return {
    source,
    usesCaptures,
    render(record, tag, captures) {
      let out = '';
      for (let k = 0; k < parts.length; k++) {
        const p = parts[k]!;
        if (typeof p === 'string') out += p;
        else if ('cap' in p) out += captures?.[p.cap] ?? '';
        else if ('tag' in p) out += tag;
        else if ('tagPart' in p) out += tag.split('.')[p.tagPart] ?? '';
        else out += fieldText(getPath(record, p.path));
      }
      return out;
    },
  };
}

/** A field's value as Fluent Bit's accessor writes it into text. */
export function fieldText(v: unknown): string {
  switch (typeof v) {
    case 'string': return v;
    case 'number': return Number.isInteger(v) ? String(v) : v.toFixed(6);
    case 'bigint': return String(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'undefined': return '';
    case 'object':
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
      if (v instanceof RawNumber) return v.text;
      return toJson(v);
    default: return '';
  }
}
