import type { Parser, ParseResult } from './types.js';
import { applyDecoders } from './decoders.js';
import { castValue, compileFieldRules, type ParserSpec } from './spec.js';
import { setField } from '../record/fields.js';

const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07' };

/** Quoted-value escapes (Fluent Bit's flb_unescape_string_utf8): \" \\ \/ \n \t … \uXXXX. */
function unescapeQuoted(s: string): string {
  return s.replace(/\\(?:u([0-9a-fA-F]{4})|(.?))/gs, (_m, u?: string, c?: string) =>
    u ? String.fromCharCode(parseInt(u, 16)) : ESC[c!] ?? c!);
}

/** logfmt identifier bytes: anything above space except `=` and `"` (brandur.org/logfmt). */
function isIdent(c: number): boolean {
  return c > 32 && c !== 61 && c !== 34;
}

/**
 * `format: logfmt` (Fluent Bit's rules): `key=value`, `key="quoted \"value\""`, and a bare `key`
 * (→ true). Parsing stops at the first line break. With `time_format`, the `time_key` field sets
 * the record time (dropped unless `time_keep`); a time that does not match fails the whole line,
 * as in Fluent Bit. `logfmt_no_bare_keys` makes a line with a bare key not match.
 */
export function createLogfmtParser(spec: ParserSpec): Parser {
  const { time: timeFormat, timeKey, timeKeep, types, decoders } = compileFieldRules(spec);
  const noBareKeys = spec.logfmtNoBareKeys === true;
  return {
    name: spec.name,
    parse(text: string): ParseResult | null {
      const end = text.length;
      let i = 0;
      let record: Record<string, unknown> | undefined;
      let time: number | undefined;
      while (i < end) {
        let c = text.charCodeAt(i);
        while (i < end && !isIdent(c) && c !== 10 && c !== 13) c = text.charCodeAt(++i);
        if (i >= end || c === 10 || c === 13) break;
        const keyStart = i;
        while (i < end && isIdent(text.charCodeAt(i))) i++;
        const key = text.slice(keyStart, i);
        let value: unknown = true;
        let hasValue = false;
        if (i < end && text.charCodeAt(i) === 61 /* = */) {
          hasValue = true;
          i++;
          if (i < end && text.charCodeAt(i) === 34 /* " */) {
            const start = ++i;
            let escaped = false;
            while (i < end) {
              const q = text.charCodeAt(i);
              if (q === 92 /* \ */) {
                escaped = true;
                i += 2;
              } else if (q === 34) break;
              else i++;
            }
            const raw = text.slice(start, Math.min(i, end));
            if (i < end) i++; // closing quote
            value = escaped ? unescapeQuoted(raw) : raw;
          } else {
            const start = i;
            while (i < end && isIdent(text.charCodeAt(i))) i++;
            value = i > start ? text.slice(start, i) : true;
          }
        }
        if (!hasValue && noBareKeys) return null;
        if (timeFormat !== undefined && key === timeKey && typeof value === 'string' && value !== '') {
          const t = timeFormat.parse(value);
          if (t === undefined) return null;
          time = t;
          if (!timeKeep) continue;
        }
        record ??= {};
        const type = types?.get(key);
        setField(record, key, type !== undefined && typeof value === 'string' ? castValue(type, value) : value);
      }
      if (record === undefined) return null;
      if (decoders !== undefined) applyDecoders(decoders, record);
      return time === undefined ? { record } : { time, record };
    },
  };
}
