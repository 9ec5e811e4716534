import { parseLogJsonObject } from '../codec/log-json.js';
import type { Parser, ParseResult } from './types.js';
import { applyDecoders } from './decoders.js';
import { compileFieldRules, type ParserSpec } from './spec.js';

/** Index of the first non-blank character. */
function firstNonBlank(s: string): number {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

/** True when `s` (after blanks) opens a JSON object: the cheap test before JSON.parse. */
export function looksLikeJsonObject(s: string): boolean {
  return s.charCodeAt(firstNonBlank(s)) === 123;
}

/**
 * Parse a JSON object from log data; undefined for anything else (invalid JSON, arrays, scalars).
 * Nesting is bounded and lossy numbers kept as text (src/codec/log-json.ts).
 */
export function parseJsonObject(s: string): Record<string, unknown> | undefined {
  if (!looksLikeJsonObject(s)) return undefined;
  return parseLogJsonObject(s);
}

/**
 * `format: json`: one JSON object a line. With `time_format`, a string `time_key` field sets the
 * record time and is dropped unless `time_keep`; a number is taken as epoch seconds when the format
 * is `%s`. A time that does not match leaves the field in place (Fluent Bit).
 */
export function createJsonParser(spec: ParserSpec): Parser {
  const { time: timeFormat, timeKey, timeKeep, decoders } = compileFieldRules(spec);
  const numericEpoch = spec.timeFormat?.trim() === '%s';
  return {
    name: spec.name,
    parse(text: string): ParseResult | null {
      const record = parseJsonObject(text);
      if (record === undefined) return null;
      if (decoders !== undefined) applyDecoders(decoders, record);
      if (timeFormat === undefined) return { record };
      const tv = record[timeKey];
      let time: number | undefined;
      if (typeof tv === 'string') time = timeFormat.parse(tv);
      else if (typeof tv === 'number' && numericEpoch) time = tv * 1000;
      if (time === undefined) return { record };
      if (!timeKeep) delete record[timeKey];
      return { time, record };
    },
  };
}
