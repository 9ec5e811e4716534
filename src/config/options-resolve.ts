import { ConfigError } from '../errors.js';
import { didYouMean } from './suggest.js';
import { PluginOptions, type OptionSpec, type RawSection, type RawValue } from './types.js';
import { parseBool, parseDuration, parseInteger, parseList, parseNumber, parseSize } from './values.js';

/**
 * Validates one section's entries against its option specs and types the values.
 * Every problem is reported (not just the first), each at the key's position.
 */
export function resolveOptions(section: RawSection, specs: readonly OptionSpec[], label: string): { options: PluginOptions; errors: ConfigError[] } {
  const byKey = new Map(specs.map((s) => [s.key, s]));
  const values = new Map<string, unknown>();
  const positions = new Map<string, import('../errors.js').SourcePos>();
  const errors: ConfigError[] = [];

  for (const entry of section.entries) {
    const spec = byKey.get(entry.key);
    if (!spec) {
      errors.push(new ConfigError(`unknown key '${entry.key}' for ${label}${didYouMean(entry.key, byKey.keys())}`, entry.pos));
      continue;
    }
    if (entry.invalid) {
      values.set(spec.key, undefined);
      continue;
    }
    const r = convert(spec, entry.value);
    if ('error' in r) {
      errors.push(new ConfigError(`${label}: '${spec.key}' ${r.error}`, entry.pos));
      // reported once: not again as a missing required key
      if (!values.has(spec.key)) values.set(spec.key, undefined);
      continue;
    }
    if (values.has(spec.key)) {
      if (spec.type === 'multi') {
        (values.get(spec.key) as string[]).push(...(r.value as string[]));
        continue;
      }
      errors.push(new ConfigError(`${label}: '${spec.key}' is set more than once`, entry.pos, { hint: 'keep one' }));
      continue;
    }
    values.set(spec.key, r.value);
    positions.set(spec.key, entry.pos);
  }

  for (const spec of specs) {
    if (values.has(spec.key)) {
      if (values.get(spec.key) === undefined) values.delete(spec.key);
      continue;
    }
    if (spec.default !== undefined) {
      const r = convert(spec, String(spec.default));
      if ('error' in r) throw new Error(`bad default for ${label} '${spec.key}': ${r.error}`);
      values.set(spec.key, r.value);
    } else if (spec.required) {
      errors.push(new ConfigError(`${label} needs '${spec.key}' (${spec.desc})`, section.pos));
    }
  }
  return { options: new PluginOptions(values, positions, section.entries, section.pos), errors };
}

type Converted = { value: unknown } | { error: string };

const EXPECT: Record<OptionSpec['type'], string> = {
  string: 'a text value',
  int: 'an integer',
  double: 'a number',
  bool: 'on/off (true/false, yes/no)',
  size: 'a size such as 512k, 5M or 1G',
  time: 'a duration such as 5 (seconds), 500ms, 5s or 2m',
  list: 'a comma-separated list',
  multi: 'a value or a list of values',
  json: 'JSON text or a YAML mapping',
};

/** Describe what a key expects (for docs and errors). */
export function expectedOf(spec: OptionSpec): string {
  return spec.enum ? `one of ${spec.enum.join(', ')}` : EXPECT[spec.type];
}

function convert(spec: OptionSpec, raw: RawValue): Converted {
  const expected = expectedOf(spec);
  if (spec.type === 'multi') {
    if (typeof raw === 'string') return { value: [raw] };
    if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return { value: [...raw] };
    return { error: `expects ${expected}` };
  }
  if (spec.type === 'list') {
    if (typeof raw === 'string') return { value: parseList(raw) };
    if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return { value: (raw as string[]).map((x) => x.trim()).filter(Boolean) };
    return { error: `expects ${expected}` };
  }
  if (spec.type === 'json') {
    if (typeof raw !== 'string') return { value: raw };
    try {
      return { value: JSON.parse(raw) as unknown };
    } catch (err) {
      return { error: `expects JSON: ${(err as Error).message}` };
    }
  }
  if (typeof raw !== 'string') return { error: `expects ${expected}, got a ${Array.isArray(raw) ? 'list' : 'mapping'}` };
  const text = raw.trim();
  let value: unknown;
  switch (spec.type) {
    case 'string':
      value = raw;
      if (spec.enum) {
        const hit = spec.enum.find((e) => e.toLowerCase() === text.toLowerCase());
        if (hit === undefined) return { error: `expects ${expected}, got '${text}'${didYouMean(text, spec.enum)}` };
        value = hit;
      }
      break;
    case 'int': value = parseInteger(text); break;
    case 'double': value = parseNumber(text); break;
    case 'bool': value = parseBool(text); break;
    case 'size': value = parseSize(text); break;
    case 'time': value = parseDuration(text); break;
  }
  if (value === undefined) return { error: `expects ${expected}, got '${text}'` };
  if (typeof value === 'number') {
    if (spec.min !== undefined && value < spec.min) return { error: `must be at least ${spec.min}, got '${text}'` };
    if (spec.max !== undefined && value > spec.max) return { error: `must be at most ${spec.max}, got '${text}'` };
  }
  return { value };
}
