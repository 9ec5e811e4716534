import type { Parser, ParseResult } from './types.js';
import { applyDecoders } from './decoders.js';
import { castValue, compileFieldRules, type ParserSpec } from './spec.js';
import { setField } from '../record/fields.js';

/**
 * `format: ltsv` (ltsv.org): `label:value` fields separated by tabs, one record a line. A field
 * without a colon makes the line not match. Time and `types` work as for regex.
 */
export function createLtsvParser(spec: ParserSpec): Parser {
  const { time: timeFormat, timeKey, timeKeep, timeStrict, types, decoders } = compileFieldRules(spec);
  return {
    name: spec.name,
    parse(text: string): ParseResult | null {
      let line = text;
      const nl = line.indexOf('\n');
      if (nl >= 0) line = line.slice(0, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') return null;
      const record: Record<string, unknown> = {};
      let time: number | undefined;
      for (const field of line.split('\t')) {
        const colon = field.indexOf(':');
        if (colon <= 0) return null;
        const key = field.slice(0, colon);
        const v = field.slice(colon + 1);
        if (timeFormat !== undefined && key === timeKey) {
          const t = timeFormat.parse(v);
          if (t !== undefined) {
            time = t;
            if (!timeKeep) continue;
          } else if (timeStrict) continue;
        }
        const type = types?.get(key);
        setField(record, key, type === undefined ? v : castValue(type, v));
      }
      if (decoders !== undefined) applyDecoders(decoders, record);
      return time === undefined ? { record } : { time, record };
    },
  };
}
