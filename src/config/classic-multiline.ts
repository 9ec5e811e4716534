/**
 * A classic `[MULTILINE_PARSER]`'s `rule` lines, read as Fluent Bit reads them, into the shape the
 * YAML `multiline_parsers:` section gives:
 *
 *     rule  "start_state"  "/^\d{4}-\d{2}-\d{2} /"  "cont"
 *     →  { state: 'start_state', regex: '/^\d{4}-\d{2}-\d{2} /', next_state: 'cont' }
 *
 * A rule line is blank-separated tokens; a token in double quotes may hold blanks and `\"`
 * (which becomes `"`); other backslashes are kept as written (they belong to the regex).
 * `next_state` may be left out (the rule then ends the record's continuation).
 */

export interface MultilineRule {
  state: string;
  regex: string;
  next_state?: string;
}

/** Split one `rule` value into its tokens; an unterminated quote yields an error text. */
export function ruleTokens(value: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  const n = value.length;
  for (;;) {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
    if (i >= n) return out;
    if (value[i] === '"') {
      let j = i + 1;
      let tok = '';
      for (; j < n; j++) {
        const c = value[j]!;
        if (c === '\\' && value[j + 1] === '"') {
          tok += '"';
          j++;
        } else if (c === '"') break;
        else tok += c;
      }
      if (j >= n) return `the quote opened at character ${i + 1} is not closed`;
      out.push(tok);
      i = j + 1;
    } else {
      let j = i;
      while (j < n && value[j] !== ' ' && value[j] !== '\t') j++;
      out.push(value.slice(i, j));
      i = j;
    }
  }
}

/** One rule from its line, or what is wrong with it. */
export function parseRule(value: string): MultilineRule | string {
  const t = ruleTokens(value);
  if (typeof t === 'string') return t;
  if (t.length < 2) return `expects "state" "regex" ["next_state"], got ${t.length} value${t.length === 1 ? '' : 's'}`;
  if (t.length > 3) return `expects "state" "regex" ["next_state"], got ${t.length} values (quote a regex that holds blanks)`;
  return t.length === 3 ? { state: t[0]!, regex: t[1]!, next_state: t[2]! } : { state: t[0]!, regex: t[1]! };
}
