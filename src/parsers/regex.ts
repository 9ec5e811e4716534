import type { Parser, ParseResult } from './types.js';
import { applyDecoders } from './decoders.js';
import { compileOnigRegex, type CompiledRegex } from './onig-regex.js';
import { castValue, compileFieldRules, SpecError, type ParserSpec } from './spec.js';
import { hasField, setField } from '../record/fields.js';

/**
 * `format: regex`: named groups become fields, in the order the groups are written (Fluent Bit).
 * Groups that captured nothing are left out unless `skip_empty_values` is off. The `time_key`
 * group (with `time_format`) sets the record time and is dropped unless `time_keep`; a time that
 * does not match `time_format` drops the field too (Fluent Bit warns; the record keeps its time).
 */
export function createRegexParser(spec: ParserSpec): Parser {
  if (!spec.regex) throw new SpecError('regex', 'format regex needs a regex');
  let compiled: CompiledRegex;
  try {
    compiled = compileOnigRegex(spec.regex);
  } catch (err) {
    throw new SpecError('regex', `regex does not compile: ${(err as Error).message}`, { cause: err });
  }
  const { regex, names } = compiled;
  const groups: number[] = [];
  for (let i = 1; i < names.length; i++) if (names[i] !== undefined) groups.push(i);
  if (groups.length === 0) {
    throw new SpecError('regex', 'regex has no named group (?<name>…), so it would yield no field');
  }
  const rules = compileFieldRules(spec);
  const skipEmpty = spec.skipEmptyValues !== false;
  const { time: timeFormat, timeKey, timeKeep, timeStrict, types, decoders } = rules;

  return {
    name: spec.name,
    parse(text: string): ParseResult | null {
      const m = regex.exec(text);
      if (m === null) return null;
      const record: Record<string, unknown> = {};
      let time: number | undefined;
      for (let g = 0; g < groups.length; g++) {
        const idx = groups[g]!;
        const name = names[idx]!;
        const raw = m[idx];
        if (raw === undefined && hasField(record, name)) continue; // a duplicate name that did not take part
        const v = raw ?? '';
        if (v === '' && skipEmpty) continue;
        if (timeFormat !== undefined && name === timeKey) {
          const t = timeFormat.parse(v);
          if (t !== undefined) {
            time = t;
            if (!timeKeep) continue;
          } else if (timeStrict) continue;
        }
        const type = types?.get(name);
        setField(record, name, type === undefined ? v : castValue(type, v));
      }
      if (decoders !== undefined) applyDecoders(decoders, record);
      return time === undefined ? { record } : { time, record };
    },
  };
}
