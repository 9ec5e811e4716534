import { linearProblem, noteUnbounded } from '../parsers/linear-regex.js';

/** Tag routing as Fluent Bit does it: `match` with `*` wildcards, or `match_regex`. */

export type TagMatcher = (tag: string) => boolean;

export function compileMatch(pattern: string): TagMatcher {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*')) return (tag) => tag === pattern;
  const re = new RegExp('^' + pattern.split('*').map(escapeRegex).join('.*') + '$');
  return (tag) => re.test(tag);
}

/** Throws SyntaxError for an invalid expression (the loader reports it). */
export function compileMatchRegex(expr: string): TagMatcher {
  const re = new RegExp(expr);
  // tags can come from log data (rewrite_tag): same linear fallback and warning as other user patterns
  const why = linearProblem(expr, '');
  if (why !== undefined) noteUnbounded(expr, why);
  return (tag) => re.test(tag);
}

function escapeRegex(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
