import { setFlagsFromString } from 'node:v8';
import { LINEAR_REGEX_FLAGS } from '../v8-flags.cjs';

/**
 * No log line may burn a core, whatever pattern a user writes. JavaScript's regex engine
 * (irregexp) backtracks: a pattern such as `^(\S+ ?)+$` takes exponential time on a line that
 * almost matches. V8 has a second engine that runs in time linear in the line (an automaton,
 * no backtracking); with the flag set here, a match that backtracks more than 50,000 times is
 * re-run on it. Lines that match run at irregexp's speed; a hostile line costs ~5 µs per byte
 * (a 2 kB line: ~10 ms) instead of seconds or hours.
 *
 * The linear engine cannot run case-insensitive patterns, back-references, lookarounds
 * (Onigmo's `\A`, `\z`, `\Z` compile to lookarounds) or large counted repetitions: such a
 * pattern still runs on irregexp alone, and `linearProblem()` names why, so it can be warned
 * about at start (README: Hostile input).
 *
 * Measured against linear engines from npm on a Fluent Bit-style access-log pattern (Node 20,
 * noisy 2-core machine): a matching line costs irregexp ~0.35-0.55 µs, re2js (pure JS RE2)
 * ~13 µs, re2-wasm ~85 µs, V8's linear engine alone ~16-19 µs; a 2 kB hostile line costs
 * re2js ~0.3 ms, re2-wasm ~7 ms, V8's linear engine ~10 ms (first run ~60 ms), irregexp alone
 * more than 20 s. The fallback keeps irregexp's speed and needs no dependency or syntax change.
 */
for (const f of LINEAR_REGEX_FLAGS) setFlagsFromString(f);

/** Why `source` (with `flags`) cannot fall back to the linear engine, or undefined when it can. */
export function linearProblem(source: string, flags: string): string | undefined {
  if (canRunLinear(source, flags)) return undefined;
  if (flags.includes('i') && canRunLinear(source, flags.replace('i', ''))) {
    return 'it matches case-insensitively ((?i) or /…/i): spell both cases in a class such as [Ee]rror instead';
  }
  return 'it uses a back-reference, a lookaround (\\A, \\z and \\Z are lookarounds too: use ^ and $), case-insensitivity or a counted repetition above ~16 (use * or +)';
}

function canRunLinear(source: string, flags: string): boolean {
  try {
    new RegExp(source, flags + 'l');
    return true;
  } catch {
    return false;
  }
}

const unbounded = new Map<string, string>();
const vetted = new Set<string>();

/**
 * Wren's own patterns (the stock parsers) are written to be linear on irregexp itself, with
 * lookarounds, and tested with adversarial lines (test/parsers/stock.test.ts): no warning.
 */
export function vetPatterns(patterns: Iterable<string | undefined>): void {
  for (const p of patterns) if (p !== undefined) vetted.add(p);
}

/** Remember a user pattern that runs on the backtracking engine only (warned about at start). */
export function noteUnbounded(pattern: string, why: string): void {
  if (!vetted.has(pattern)) unbounded.set(pattern, why);
}

/** User patterns with no linear fallback: pattern → why. */
export function unboundedPatterns(): ReadonlyMap<string, string> {
  return unbounded;
}

/** The line `run` logs and `check` prints for one of them. */
export function unboundedWarning(pattern: string, why: string): string {
  const shown = pattern.length > 120 ? pattern.slice(0, 117) + '...' : pattern;
  return `regex /${shown}/ can only run on the backtracking engine (${why}); a crafted log line may then cost seconds of CPU per record`;
}
