import { didYouMean } from '../../config/suggest.js';
import { compileOnigRegex } from '../onig-regex.js';
import { SpecError } from '../spec.js';
import type { Parser } from '../types.js';
import type { MultilineRuleSpec, MultilineSpec, MultilineType } from './spec.js';

/** A rule ready to run: its regex compiled and the rules that may follow it resolved. */
export interface CompiledRule {
  regex: RegExp;
  /** It may begin a record (`start_state` is one of its states). */
  start: boolean;
  /** Rules that may match the next line (continuations: start rules left out). */
  next: CompiledRule[];
  /** Its next state is a start state: the record is complete once this rule matched. */
  completes: boolean;
}

/** A multiline parser ready to run. */
export interface MultilineParser {
  name: string;
  type: MultilineType;
  flushMs: number;
  keyContent?: string;
  /** Applied to each line's text first (the spec's `parser`). */
  parser?: Parser;
  /** type regex: the rules that may begin a record, in the order written. */
  starts: CompiledRule[];
  /** type endswith / equal. */
  matchString: string;
  negate: boolean;
}

/** A rule problem: which rule (index in the spec) and what is wrong, so the loader can point at its line. */
export class RuleError extends SpecError {
  constructor(readonly rule: number, message: string, readonly hint: string, opts?: { cause?: unknown }) {
    super('rule', message, opts);
  }
}

/**
 * Compile a spec; throws SpecError (RuleError for a rule) naming what is wrong. The checks are
 * Fluent Bit's: the first rule must start in `start_state`, every next state must be some rule's
 * state, every regex must compile.
 */
export function compileMultiline(spec: MultilineSpec, parser?: Parser): MultilineParser {
  const ml: MultilineParser = {
    name: spec.name,
    type: spec.type,
    flushMs: spec.flushTimeoutMs,
    keyContent: spec.keyContent || undefined,
    parser,
    starts: [],
    matchString: spec.matchString ?? '',
    negate: spec.negate === true,
  };
  if (spec.type !== 'regex') {
    if (!spec.matchString) throw new SpecError('match_string', `type ${spec.type} needs a match_string`);
    return ml;
  }
  if (spec.rules.length === 0) throw new SpecError('rule', "type regex needs rules: at least one starting in 'start_state'");
  const states = new Set<string>();
  for (const r of spec.rules) for (const s of r.from) states.add(s);
  const compiled = spec.rules.map((r, i) => compileRule(r, i, i === 0));
  spec.rules.forEach((r, i) => {
    const to = r.to;
    if (to === undefined) return;
    if (!states.has(to)) {
      throw new RuleError(i, `rule ${i + 1}: next state '${to}' is not the state of any rule${didYouMean(to, states)}`,
        'a next_state must be the state of some rule (or start_state)');
    }
    const me = compiled[i]!;
    spec.rules.forEach((other, j) => {
      if (!other.from.includes(to)) return;
      const o = compiled[j]!;
      if (o.start) me.completes = true;
      else me.next.push(o);
    });
  });
  ml.starts = compiled.filter((c) => c.start);
  return ml;
}

function compileRule(r: MultilineRuleSpec, i: number, first: boolean): CompiledRule {
  const from = r.from.filter((s) => s !== '');
  if (from.length === 0) throw new RuleError(i, `rule ${i + 1} has no state`, 'write the state(s) the rule applies in');
  const start = from.includes('start_state');
  if (first && !start) throw new RuleError(i, `the first rule must start in 'start_state' (it has '${from.join(', ')}')`, "a record begins at a rule of state start_state: put one first");
  if (r.regex === '') throw new RuleError(i, `rule ${i + 1} has an empty regex`, 'write the regex a line must match');
  let regex: RegExp;
  try {
    regex = compileOnigRegex(r.regex).regex;
  } catch (err) {
    throw new RuleError(i, `rule ${i + 1}: regex ${r.regex} does not compile: ${(err as Error).message}`, 'fix the regex (Onigmo/Ruby syntax, optionally /…/)', { cause: err });
  }
  return { regex, start, next: [], completes: false };
}
