import { compileDecoders, type Decoders } from './decoders.js';
import { compileTimeFormat, parseTzOffset, type TimeFormat } from './time-format.js';

/** One parser definition, as in a `parsers:` entry (Fluent Bit's keys). */
export interface ParserSpec {
  name: string;
  format: 'json' | 'regex' | 'logfmt' | 'ltsv';
  regex?: string;
  /** Field holding the record time (default `time`); used only with `timeFormat`. */
  timeKey?: string;
  timeFormat?: string;
  /** Keep the time field in the record after reading it (default false). */
  timeKeep?: boolean;
  /** `+0900` / `-07:00`: zone of times that carry none (default UTC). */
  timeOffset?: string;
  /** Default true. When false, a time that does not match is ignored quietly (record kept as is). */
  timeStrict?: boolean;
  /** `key:type` pairs, blank-separated; type integer | float | bool | hex | string. */
  types?: string;
  /** Regex: drop fields that captured nothing (default true). */
  skipEmptyValues?: boolean;
  decodeField?: readonly string[];
  decodeFieldAs?: readonly string[];
  /** logfmt: a key without `=` makes the whole line not match (default false). */
  logfmtNoBareKeys?: boolean;
}

/** Which part of a spec is wrong, so the registry can point at the key. */
export class SpecError extends Error {
  constructor(readonly key: string, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
  }
}

export type FieldType = 'integer' | 'float' | 'bool' | 'hex' | 'string';

export interface FieldRules {
  timeKey: string;
  time?: TimeFormat;
  timeKeep: boolean;
  timeStrict: boolean;
  types?: ReadonlyMap<string, FieldType>;
  decoders?: Decoders;
}

/** Compile the parts every format shares; throws SpecError. */
export function compileFieldRules(spec: ParserSpec): FieldRules {
  let offsetSec = 0;
  if (spec.timeOffset !== undefined && spec.timeOffset !== '') {
    const o = parseTzOffset(spec.timeOffset);
    if (o === undefined) throw new SpecError('time_offset', `time_offset '${spec.timeOffset}' is not an offset like +0900 or -07:00`);
    offsetSec = o;
  }
  let time: TimeFormat | undefined;
  if (spec.timeFormat) {
    try {
      time = compileTimeFormat(spec.timeFormat, { offsetSec });
    } catch (err) {
      throw new SpecError('time_format', `time_format ${(err as Error).message}`, { cause: err });
    }
  }
  let types: Map<string, FieldType> | undefined;
  if (spec.types && spec.types.trim()) {
    types = new Map();
    for (const pair of spec.types.trim().split(/\s+/)) {
      const i = pair.indexOf(':');
      if (i <= 0) throw new SpecError('types', `types entry '${pair}' must be key:type`);
      const t = pair.slice(i + 1).toLowerCase();
      types.set(pair.slice(0, i), t === 'integer' || t === 'float' || t === 'bool' || t === 'hex' ? t : 'string');
    }
  }
  let decoders: Decoders | undefined;
  try {
    decoders = compileDecoders(spec.decodeField ?? [], spec.decodeFieldAs ?? []);
  } catch (err) {
    const msg = (err as Error).message;
    throw new SpecError(msg.startsWith('decode_field_as') ? 'decode_field_as' : 'decode_field', msg, { cause: err });
  }
  return {
    timeKey: spec.timeKey || 'time',
    time,
    timeKeep: spec.timeKeep === true,
    timeStrict: spec.timeStrict !== false,
    types,
    decoders,
  };
}

/** Fluent Bit's `types` cast of one text value. */
export function castValue(type: FieldType, v: string): unknown {
  switch (type) {
    case 'integer': {
      const n = parseInt(v, 10);
      return Number.isNaN(n) ? 0 : n;
    }
    case 'float': {
      const n = parseFloat(v);
      return Number.isNaN(n) ? 0 : n;
    }
    case 'hex': {
      const n = parseInt(v, 16);
      return Number.isNaN(n) ? 0 : n;
    }
    case 'bool': {
      const l = v.slice(0, 5).toLowerCase();
      if (l.startsWith('true')) return true;
      if (l === 'false') return false;
      return v;
    }
    default:
      return v;
  }
}
