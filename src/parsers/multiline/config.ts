import { resolveOptions } from '../../config/options-resolve.js';
import { didYouMean } from '../../config/suggest.js';
import type { OptionSpec, RawEntry, RawSection } from '../../config/types.js';
import { ConfigError, type SourcePos } from '../../errors.js';
import { SpecError } from '../spec.js';
import type { ParserLookup } from '../types.js';
import { CONTAINER_MULTILINE } from './builtins.js';
import { compileMultiline, RuleError, type MultilineParser } from './compile.js';
import { multilineLookupOf, type MultilineLookup } from './registry.js';
import { DEFAULT_FLUSH_TIMEOUT_MS, type MultilineRuleSpec, type MultilineSpec, type MultilineType } from './spec.js';

/** The keys of a `multiline_parsers:` entry / `[MULTILINE_PARSER]` section (Fluent Bit's names). */
export const MULTILINE_PARSER_OPTIONS: readonly OptionSpec[] = [
  { key: 'name', type: 'string', required: true, desc: 'Name that multiline.parser (tail input, multiline filter) refers to; a built-in of the same name is replaced.' },
  { key: 'type', type: 'string', required: true, enum: ['regex', 'endswith', 'equal', 'eq'], desc: 'regex: rules decide; endswith / equal: lines are joined until one ends with / equals match_string.' },
  { key: 'flush_timeout', type: 'int', default: DEFAULT_FLUSH_TIMEOUT_MS, min: 1, desc: 'Milliseconds without a new line after which an open record is emitted.' },
  { key: 'key_content', type: 'string', desc: 'Record field whose text is matched and joined (default: log; the multiline filter\'s multiline.key_content wins).' },
  { key: 'parser', type: 'string', desc: 'A parser (parsers:) applied to each line first: its fields make the record, key_content names the text among them.' },
  { key: 'rule', type: 'multi', desc: 'type regex, repeatable: "state[, state…]" "/regex/" "next_state"; a record starts at a rule of start_state. YAML: rules: [{state, regex, next_state}].' },
  { key: 'match_string', type: 'string', desc: 'type endswith / equal: the text that ends a record.' },
  { key: 'negate', type: 'bool', default: 'off', desc: 'type endswith / equal: a line NOT ending with / equal to match_string ends the record.' },
];

const RULE_KEYS = new Set(['rule', 'rules']);

/**
 * The config's multiline parsers (from `multiline_parsers:`, `[MULTILINE_PARSER]` and parsers
 * files, which the loaders give as `multiline_parser` sections), compiled against `parsers` for
 * their `parser` key. Every problem is reported at its line; a bad parser is left out.
 */
export function buildMultilineParsers(sections: readonly RawSection[], parsers: ParserLookup): { lookup: MultilineLookup; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const own = new Map<string, MultilineParser>();
  for (const s of sections) {
    const label = `multiline parser '${s.name}'`;
    const ruleEntries = s.entries.filter((e) => RULE_KEYS.has(e.key));
    const section: RawSection = { ...s, entries: [{ key: 'name', value: s.name, pos: s.pos }, ...s.entries.filter((e) => !RULE_KEYS.has(e.key))] };
    const r = resolveOptions(section, MULTILINE_PARSER_OPTIONS, label);
    errors.push(...r.errors);
    if (r.errors.length > 0) continue;
    const o = r.options;
    const name = o.str('name').trim();
    if ((CONTAINER_MULTILINE as readonly string[]).includes(name.toLowerCase())) {
      errors.push(new ConfigError(`${label}: '${name}' is the tail input's container format and cannot be redefined`, s.pos, { hint: 'choose another name' }));
      continue;
    }
    if (own.has(name)) {
      errors.push(new ConfigError(`${label} is defined twice`, s.pos, { hint: 'give each multiline parser its own name' }));
      continue;
    }
    const type = (o.str('type').toLowerCase() === 'eq' ? 'equal' : o.str('type').toLowerCase()) as MultilineType;
    const rules: MultilineRuleSpec[] = [];
    const before = errors.length;
    for (const e of ruleEntries) if (!e.invalid) readRules(e, label, rules, errors);
    if (errors.length > before) continue;
    if (type !== 'regex' && rules.length > 0) {
      errors.push(new ConfigError(`${label}: rules apply only to type regex`, rules[0]!.pos ?? s.pos, { hint: 'set type regex, or remove the rules' }));
      continue;
    }
    const parserName = o.optStr('parser');
    const parser = parserName === undefined ? undefined : parsers.get(parserName);
    if (parserName !== undefined && parser === undefined) {
      errors.push(new ConfigError(`${label}: parser '${parserName}' is not defined${didYouMean(parserName, parsers.names())}`, o.pos('parser'),
        { hint: 'define it under parsers:' }));
      continue;
    }
    const spec: MultilineSpec = {
      name, type, rules,
      flushTimeoutMs: o.num('flush_timeout'),
      keyContent: o.optStr('key_content'),
      parser: parserName,
      matchString: o.optStr('match_string'),
      negate: o.bool('negate'),
    };
    try {
      own.set(name, compileMultiline(spec, parser));
    } catch (err) {
      const pos: SourcePos | undefined = err instanceof RuleError ? rules[err.rule]?.pos ?? s.pos
        : err instanceof SpecError ? o.pos(err.key) ?? s.pos : s.pos;
      errors.push(new ConfigError(`${label}: ${(err as Error).message}`, pos, { hint: hintFor(err), cause: err }));
    }
  }
  return { lookup: multilineLookupOf(own), errors };
}

function hintFor(err: unknown): string | undefined {
  if (err instanceof RuleError) return err.hint;
  if (err instanceof SpecError && err.key === 'match_string') return 'add match_string: <text>';
  return undefined;
}

/** One `rule` / `rules` entry: rule text (classic), or YAML mappings {state, regex, next_state}. */
function readRules(e: RawEntry, label: string, out: MultilineRuleSpec[], errors: ConfigError[]): void {
  const items: unknown[] = Array.isArray(e.value) ? e.value : [e.value];
  for (const item of items) {
    const r = typeof item === 'string' ? ruleFromText(item) : ruleFromMap(item);
    if (typeof r === 'string') {
      errors.push(new ConfigError(`${label}: ${r}`, e.pos, { hint: 'write rules as "state" "/regex/" "next_state", or in YAML as {state, regex, next_state}' }));
      continue;
    }
    out.push({ ...r, pos: e.pos });
  }
}

function ruleFromMap(v: unknown): MultilineRuleSpec | string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'a rule must be a mapping with state, regex and next_state';
  const m = v as Record<string, unknown>;
  for (const k of Object.keys(m)) {
    if (!['state', 'regex', 'next_state'].includes(k.toLowerCase())) return `unknown rule key '${k}'${didYouMean(k, ['state', 'regex', 'next_state'])}`;
  }
  const get = (k: string) => Object.entries(m).find(([x]) => x.toLowerCase() === k)?.[1];
  const state = get('state');
  const regex = get('regex');
  const next = get('next_state');
  if (typeof state !== 'string' || state.trim() === '') return "a rule has no 'state'";
  if (typeof regex !== 'string' || regex === '') return "a rule has no 'regex'";
  if (next !== undefined && typeof next !== 'string') return "a rule's 'next_state' must be text";
  return { from: splitStates(state), regex, to: next === undefined || next.trim() === '' ? undefined : next.trim() };
}

/** `"state[, state]" "regex" ["next_state"]`: double-quoted tokens (\" inside) or bare words. */
export function ruleFromText(text: string): MultilineRuleSpec | string {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    let tok = '';
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && text[i + 1] === '"') i++;
        tok += text[i++];
      }
      if (i >= text.length) return `rule ${text} has an unclosed quote`;
      i++;
    } else {
      while (i < text.length && text[i] !== ' ' && text[i] !== '\t') tok += text[i++];
    }
    tokens.push(tok);
  }
  if (tokens.length < 2 || tokens.length > 3) return `rule ${text} must be "state" "regex" "next_state" (got ${tokens.length} part${tokens.length === 1 ? '' : 's'})`;
  return { from: splitStates(tokens[0]!), regex: tokens[1]!, to: tokens[2] === undefined || tokens[2] === '' ? undefined : tokens[2] };
}

function splitStates(s: string): string[] {
  return s.split(',').map((x) => x.trim()).filter(Boolean);
}
