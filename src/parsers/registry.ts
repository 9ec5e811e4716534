import type { OptionSpec, PluginOptions } from '../config/types.js';
import { ConfigError, type SourcePos } from '../errors.js';
import { BUILTIN_SPECS } from './builtin-specs.js';
import { createParser } from './create.js';
import { criParser } from './cri.js';
import { dockerParser } from './docker.js';
import { kubeCustomParser } from './kube-custom.js';
import { SpecError, type ParserSpec } from './spec.js';
import { stockStandIn } from './stock-patterns.js';
import type { Parser, ParserLookup } from './types.js';

/** Stock parsers written in code (container-log fast paths; kube-custom, linear), under their own `name`. */
const CODE_PARSERS: readonly Parser[] = [dockerParser, criParser, kubeCustomParser];

const FORMATS = ['json', 'regex', 'logfmt', 'ltsv'] as const;

/** The keys of one entry of the config's `parsers:` section (Fluent Bit's names). */
export const PARSER_OPTIONS: readonly OptionSpec[] = [
  { key: 'name', type: 'string', required: true, desc: 'Name that filters and inputs use to refer to this parser.' },
  { key: 'format', type: 'string', required: true, enum: FORMATS, desc: 'How a text is read: json, regex, logfmt or ltsv.' },
  { key: 'regex', type: 'string', desc: 'Regex with named groups (Onigmo/Ruby syntax, as Fluent Bit); each group becomes a field. Required for format regex.' },
  { key: 'time_key', type: 'string', default: 'time', desc: 'Field that holds the record time (used with time_format).' },
  { key: 'time_format', type: 'string', desc: 'strptime format of time_key, e.g. %Y-%m-%dT%H:%M:%S.%L%z or %d/%b/%Y:%H:%M:%S %z (%L: fraction of a second).' },
  { key: 'time_keep', type: 'bool', default: 'off', desc: 'Keep time_key in the record after reading the time from it.' },
  { key: 'time_offset', type: 'string', desc: 'Zone of times that carry none, e.g. +0900 or -07:00 (default UTC).' },
  { key: 'time_strict', type: 'bool', default: 'on', desc: 'A time that does not match time_format is dropped (on) or left in the record quietly (off).' },
  { key: 'types', type: 'string', desc: 'Casts of fields, blank-separated key:type pairs; type integer, float, bool, hex or string (regex, logfmt, ltsv).' },
  { key: 'skip_empty_values', type: 'bool', default: 'on', desc: 'Regex: leave out groups that captured nothing.' },
  { key: 'decode_field', type: 'multi', desc: 'decoder field [try_next|do_next]: decode a field (json, escaped, escaped_utf8) and add a decoded JSON map\'s keys to the record.' },
  { key: 'decode_field_as', type: 'multi', desc: 'decoder field [try_next|do_next]: decode a field (json, escaped, escaped_utf8) in place.' },
  { key: 'logfmt_no_bare_keys', type: 'bool', default: 'off', desc: 'logfmt: a key without a value makes the line not match.' },
];

const builtinCache = new Map<string, Parser>();
const builtinSpecs = new Map(BUILTIN_SPECS.map((spec) => [spec.name, spec]));
const codeParsers = new Map(CODE_PARSERS.map((p) => [p.name, p]));

/**
 * One of the parsers every config has, built the first time it is asked for (a config uses a
 * few of them; compiling them all cost start-up time).
 */
export function builtinParser(name: string): Parser | undefined {
  let p = builtinCache.get(name);
  if (p) return p;
  const spec = builtinSpecs.get(name);
  p = codeParsers.get(name) ?? (spec ? createParser(spec) : undefined);
  if (p) builtinCache.set(name, p);
  return p;
}

/** The parsers every config has: Fluent Bit's stock set (`json`, `docker`, `cri`, `nginx`, `syslog-rfc5424`, …). */
export function builtinParsers(): ReadonlyMap<string, Parser> {
  const m = new Map<string, Parser>();
  for (const name of builtinNames()) m.set(name, builtinParser(name)!);
  return m;
}

function builtinNames(): string[] {
  return [...new Set([...builtinSpecs.keys(), ...codeParsers.keys()])];
}

function multi(o: PluginOptions, key: string): string[] {
  const v = o.raw(key);
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.map(String) : [];
}

function boolOr(o: PluginOptions, key: string, dflt: boolean): boolean {
  return o.has(key) ? o.bool(key) : dflt;
}

function specFromOptions(name: string, format: ParserSpec['format'], o: PluginOptions): ParserSpec {
  return {
    name,
    format,
    regex: o.optStr('regex'),
    timeKey: o.optStr('time_key'),
    timeFormat: o.optStr('time_format'),
    timeKeep: boolOr(o, 'time_keep', false),
    timeOffset: o.optStr('time_offset'),
    timeStrict: boolOr(o, 'time_strict', true),
    types: o.optStr('types'),
    skipEmptyValues: boolOr(o, 'skip_empty_values', true),
    decodeField: multi(o, 'decode_field'),
    decodeFieldAs: multi(o, 'decode_field_as'),
    logfmtNoBareKeys: boolOr(o, 'logfmt_no_bare_keys', false),
  };
}

const HINTS: Record<string, string> = {
  regex: 'write a regex with named groups, e.g. ^(?<time>[^ ]+) (?<message>.*)$',
  time_format: 'use strptime conversions such as %Y-%m-%dT%H:%M:%S.%L%z',
  time_offset: 'write the offset as +HHMM or -HH:MM',
  types: 'write blank-separated key:type pairs, e.g. code:integer size:integer',
  decode_field: 'write <json|escaped|escaped_utf8> <field> [try_next|do_next]',
  decode_field_as: 'write <json|escaped|escaped_utf8> <field> [try_next|do_next]',
};

/**
 * The parsers a config can use: the built-ins plus the config's `parsers:` entries (which replace
 * a built-in of the same name). Every bad entry is reported (with its position), none is thrown.
 */
export function buildParsers(entries: ReadonlyArray<{ options: PluginOptions; pos?: SourcePos }>): {
  lookup: ParserLookup;
  errors: ConfigError[];
} {
  const errors: ConfigError[] = [];
  const parsers = new Map<string, Parser>();
  const defined = new Set<string>();
  for (const { options, pos } of entries) {
    const where = (key: string) => options.pos(key) ?? pos;
    const name = options.optStr('name')?.trim();
    if (!name) {
      errors.push(new ConfigError('a parsers: entry has no name', pos, { hint: 'add name: <parser name>' }));
      continue;
    }
    if (defined.has(name)) {
      errors.push(new ConfigError(`parser '${name}' is defined twice`, where('name'), { hint: 'give each parsers: entry its own name' }));
      continue;
    }
    defined.add(name);
    const format = options.optStr('format')?.trim().toLowerCase();
    if (!format || !(FORMATS as readonly string[]).includes(format)) {
      errors.push(new ConfigError(`parser '${name}' has ${format ? `an unknown format '${format}'` : 'no format'}`, where('format'),
        { hint: `set format to one of ${FORMATS.join(', ')}` }));
      continue;
    }
    try {
      const spec = specFromOptions(name, format as ParserSpec['format'], options);
      // Fluent Bit's own slow stock pattern (a copied parsers.conf): the linear one, same fields
      const stand = spec.format === 'regex' ? stockStandIn(spec.regex) : undefined;
      if (stand?.regex) spec.regex = stand.regex;
      else if (stand && !spec.timeFormat && !spec.types && !spec.decodeField?.length && !spec.decodeFieldAs?.length) {
        parsers.set(name, { name, parse: kubeCustomParser.parse });
        continue;
      }
      parsers.set(name, createParser(spec));
    } catch (err) {
      const key = err instanceof SpecError ? err.key : 'format';
      errors.push(new ConfigError(`parser '${name}': ${(err as Error).message}`, where(key), { hint: HINTS[key], cause: err }));
    }
  }
  return {
    lookup: {
      get: (name) => parsers.get(name) ?? builtinParser(name),
      names: () => [...new Set([...builtinNames(), ...parsers.keys()])].sort(),
    },
    errors,
  };
}

/** A ParserLookup over a map (tests and plugins that build their own). */
export function lookupOf(parsers: ReadonlyMap<string, Parser>): ParserLookup {
  return {
    get: (name) => parsers.get(name),
    names: () => [...parsers.keys()].sort(),
  };
}
