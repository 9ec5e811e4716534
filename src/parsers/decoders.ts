import { parseLogJsonObject } from '../codec/log-json.js';
import { assignFields, setField } from '../record/fields.js';
/**
 * Fluent Bit's field decoders (`decode_field` / `decode_field_as`): rules applied to named string
 * fields of a parsed record, in the order written, per field.
 *   decode_field_as <json|escaped|escaped_utf8> <field> [try_next|do_next]  replace the value
 *   decode_field    <json|escaped|escaped_utf8> <field> [try_next|do_next]  add a decoded JSON
 *                                                                          map's keys to the record
 * A failed rule stops the chain unless it says try_next or do_next; a successful one stops it
 * unless it says do_next.
 */

type Backend = 'json' | 'escaped' | 'escaped_utf8';
type Action = 'none' | 'try_next' | 'do_next';

interface Rule {
  as: boolean;
  backend: Backend;
  action: Action;
}

export type Decoders = ReadonlyMap<string, readonly Rule[]>;

/** Parse the rule lines; throws an Error on a malformed one. */
export function compileDecoders(decodeField: readonly string[], decodeFieldAs: readonly string[]): Decoders | undefined {
  const map = new Map<string, Rule[]>();
  const add = (line: string, as: boolean) => {
    const parts = line.trim().split(/\s+/);
    const key = as ? 'decode_field_as' : 'decode_field';
    if (parts.length < 2 || parts.length > 3) throw new Error(`${key} '${line}' must be '<decoder> <field> [try_next|do_next]'`);
    const backend = parts[0]!.toLowerCase();
    if (backend !== 'json' && backend !== 'escaped' && backend !== 'escaped_utf8') {
      throw new Error(`${key} decoder '${parts[0]}' is unknown (json, escaped, escaped_utf8)`);
    }
    const a = (parts[2] ?? 'none').toLowerCase();
    const action: Action = a === 'try_next' || a === 'do_next' ? a : 'none';
    let rules = map.get(parts[1]!);
    if (!rules) map.set(parts[1]!, (rules = []));
    rules.push({ as, backend, action });
  };
  // Fluent Bit keeps the order written; with the two keys separate, `decode_field` rules go first.
  for (const l of decodeField) add(l, false);
  for (const l of decodeFieldAs) add(l, true);
  return map.size === 0 ? undefined : map;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', a: '\x07', b: '\b', t: '\t', v: '\v', f: '\f', r: '\r' };

/** `escaped`: \n \a \b \t \v \f \r become control characters; any other backslash is dropped. */
export function unescapeSimple(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(.?)/gs, (_m, n: string) => SIMPLE_ESCAPES[n] ?? n);
}

/** `escaped_utf8`: C and \x / \u / \U escapes decoded; JSON escapes (\" \' \\ \/) kept as written. */
export function unescapeUtf8(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8})|(["'\\/])|(.?))/gs,
    (_m, oct?: string, x?: string, u?: string, U?: string, json?: string, other?: string) => {
      if (oct) return String.fromCodePoint(parseInt(oct, 8));
      const hex = x ?? u ?? U;
      if (hex) {
        const cp = parseInt(hex, 16);
        return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      }
      if (json) return '\\' + json;
      return SIMPLE_ESCAPES[other!] ?? other!;
    });
}

function decodeJson(s: string): Record<string, unknown> | undefined {
  const text = unescapeSimple(s);
  if (text.charCodeAt(0) !== 123 /* { */) return undefined;
  return parseLogJsonObject(text);
}

/** Apply the rules to `record` in place. */
export function applyDecoders(decoders: Decoders, record: Record<string, unknown>): void {
  let extra: Record<string, unknown> | undefined;
  for (const [field, rules] of decoders) {
    const original = record[field];
    if (typeof original !== 'string') continue;
    let data: unknown = original;
    let decodedAs = false;
    let decoded = false;
    for (const rule of rules) {
      if (!rule.as && rule.action === 'do_next' && decoded) continue;
      if (decodedAs && typeof data !== 'string') continue;
      const input = data as string;
      const out = rule.backend === 'json' ? decodeJson(input)
        : rule.backend === 'escaped' ? unescapeSimple(input) : unescapeUtf8(input);
      if (out === undefined) {
        if (rule.action !== 'none') continue;
        break;
      }
      if (rule.as) {
        data = out;
        decodedAs = true;
      } else if (typeof out === 'object') {
        decoded = true;
        extra ??= {};
        assignFields(extra, out as Record<string, unknown>);
      }
      if (rule.action === 'do_next') continue;
      break;
    }
    if (decodedAs) setField(record, field, data);
  }
  if (extra) assignFields(record, extra);
}
