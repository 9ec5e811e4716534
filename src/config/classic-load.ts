import { ConfigError, type SourcePos } from '../errors.js';
import { parseRule, type MultilineRule } from './classic-multiline.js';
import { readClassic, type ClassicBlock, type ClassicDoc } from './classic-read.js';
import { expandVars } from './env-expand.js';
import { didYouMean } from './suggest.js';
import type { RawEntry, RawSection } from './types.js';
import type { LoadedYaml } from './yaml-load.js';

/**
 * Loads a Fluent Bit classic configuration (`fluent-bit.conf`) into the same raw sections the
 * YAML loader produces, so validation, `wren check` and every error are the same for both.
 *
 * - `[SERVICE]` → a `service` section; `[INPUT]`, `[FILTER]`, `[OUTPUT]` (and Fluent Bit's plural
 *   spellings) → plugin sections named by their `Name` key; `[PARSER]` and `[MULTILINE_PARSER]`
 *   → `parser` / `multiline_parser` sections (Fluent Bit wants these in a parsers file; Wren, like
 *   Fluent Bit's YAML, also takes them in the main file).
 * - Keys are lower-cased; a repeated key stays one entry per line, in the order written (a
 *   repeatable option collects them, a single-valued one reports the repeat).
 * - `[MULTILINE_PARSER]`: its `rule` lines become one `rules` entry holding
 *   `[{ state, regex, next_state }]`, exactly as YAML's `rules:` list (at the first rule's place).
 * - `@SET KEY=VALUE` defines `${KEY}` for every value of every file (Fluent Bit applies all of
 *   them before reading any value; a later `@SET` of the same key wins), ahead of the environment.
 *   A `${VAR}` that is neither set nor in the environment is an error (Fluent Bit makes it empty).
 */

const KINDS: Record<string, RawSection['kind']> = {
  service: 'service',
  input: 'input', inputs: 'input',
  filter: 'filter', filters: 'filter',
  output: 'output', outputs: 'output',
  parser: 'parser',
  multiline_parser: 'multiline_parser',
};

/** Fluent Bit sections Wren does not implement, with what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  plugins: 'Wren loads no external plugins; remove the section',
  upstream: 'Wren has no upstream (load-balancing) definitions; point the output at one host',
  upstream_servers: 'Wren has no upstream (load-balancing) definitions; point the output at one host',
  node: 'Wren has no upstream (load-balancing) definitions; point the output at one host',
  custom: "Wren has no 'custom' plugins; remove the section",
  customs: "Wren has no 'custom' plugins; remove the section",
  stream_task: 'Wren has no stream processor; remove the section',
  stream_processor: 'Wren has no stream processor; remove the section',
};

const HEADER_NAMES = ['SERVICE', 'INPUT', 'FILTER', 'OUTPUT', 'PARSER', 'MULTILINE_PARSER'];

export function loadClassic(file: string, env: NodeJS.ProcessEnv): LoadedYaml {
  const doc = readClassic(file);
  const errors = [...doc.errors];
  const sections = doc.files.length > 0 ? toSections(doc, env, errors) : [];
  return { sections, errors, files: doc.files };
}

/** The `@SET` variables, each later one replacing an earlier one of the same name. */
export function classicVars(doc: ClassicDoc, env: NodeJS.ProcessEnv): Map<string, string> {
  const vars = new Map<string, string>();
  for (const s of doc.sets) vars.set(s.name, expandVars(s.value, vars, env).value);
  return vars;
}

export function toSections(doc: ClassicDoc, env: NodeJS.ProcessEnv, errors: ConfigError[]): RawSection[] {
  const vars = classicVars(doc, env);
  const out: RawSection[] = [];
  for (const block of doc.blocks) {
    const header = block.header.toLowerCase();
    const kind = KINDS[header];
    if (!kind) {
      const why = UNSUPPORTED[header];
      errors.push(why
        ? new ConfigError(`section [${block.header}] is not supported by Wren`, block.pos, { hint: why })
        : new ConfigError(`unknown section [${block.header}]${didYouMean(block.header.toUpperCase(), HEADER_NAMES)}`, block.pos, { hint: `sections are ${HEADER_NAMES.map((h) => `[${h}]`).join(', ')}` }));
      continue;
    }
    const entries = blockEntries(block, kind, vars, env, errors);
    if (kind === 'service') {
      out.push({ kind, name: '', entries, pos: block.pos });
      continue;
    }
    const nameEntry = entries.find((e) => e.key === 'name');
    if (!nameEntry || typeof nameEntry.value !== 'string' || nameEntry.value.trim() === '') {
      if (!nameEntry?.invalid) errors.push(new ConfigError(`[${block.header}] section has no 'Name'`, block.pos, { hint: `add e.g. 'Name ${EXAMPLE[kind]}'` }));
      continue;
    }
    out.push({ kind, name: nameEntry.value.trim(), entries: entries.filter((e) => e !== nameEntry), pos: block.pos });
  }
  return out;
}

const EXAMPLE: Record<RawSection['kind'], string> = { service: '', input: 'tail', filter: 'grep', output: 'stdout', parser: 'json', multiline_parser: 'multiline-java' };

function blockEntries(block: ClassicBlock, kind: RawSection['kind'], vars: Map<string, string>, env: NodeJS.ProcessEnv, errors: ConfigError[]): RawEntry[] {
  const entries: RawEntry[] = [];
  for (const e of block.entries) {
    const key = e.key.toLowerCase();
    const before = errors.length;
    const value = expand(e.value, e.valuePos, vars, env, errors);
    const invalid = errors.length > before;
    if (kind === 'multiline_parser' && key === 'rule') {
      // one `rule` entry per line, its value the {state, regex, next_state} mapping: what YAML's
      // `rules:` items give, each at its own line
      const r = invalid ? undefined : parseRule(value);
      if (typeof r === 'string') errors.push(new ConfigError(`[MULTILINE_PARSER] rule: ${r}`, e.valuePos, { hint: 'write: rule "state" "/regex/" "next_state"' }));
      if (r === undefined || typeof r === 'string') entries.push({ key: 'rule', value, pos: e.pos, invalid: true });
      else entries.push({ key: 'rule', value: r as unknown as Record<string, unknown>, pos: e.pos });
      continue;
    }
    entries.push(invalid ? { key, value, pos: e.pos, invalid: true } : { key, value, pos: e.pos });
  }
  return entries;
}

function expand(text: string, p: SourcePos, vars: Map<string, string>, env: NodeJS.ProcessEnv, errors: ConfigError[]): string {
  const r = expandVars(text, vars, env);
  for (const name of r.missing) {
    errors.push(new ConfigError(`environment variable '${name}' is not set`, p, {
      hint: `set it, define it with '@SET ${name}=value', or give a default: \${${name}:-value}`,
    }));
  }
  return r.value;
}
