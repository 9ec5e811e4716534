import type { SourcePos } from '../../errors.js';

/** How a multiline parser decides where a record ends (Fluent Bit's `type`). */
export type MultilineType = 'regex' | 'endswith' | 'equal';

/** One `rule "from_states" "regex" "next_state"` line: from one of `from`, a line matching `regex` moves to `to`. */
export interface MultilineRuleSpec {
  /** The states this rule applies in (`start_state` marks a rule that begins a record). */
  from: string[];
  /** Onigmo/Ruby syntax, optionally `/…/flags`, as Fluent Bit writes rules. */
  regex: string;
  /** The state after a match; none: the record stays open until a line breaks it or the timeout. */
  to?: string;
  /** Where the rule was written, for errors. */
  pos?: SourcePos;
}

/** A multiline parser definition: a built-in one, or a `multiline_parsers:` / `[MULTILINE_PARSER]` entry. */
export interface MultilineSpec {
  name: string;
  type: MultilineType;
  /** Emit a record whose next line has not come after this long (ms). Fluent Bit's default: 4000. */
  flushTimeoutMs: number;
  /** The record field whose text is matched and joined (default: the caller's, `log`). */
  keyContent?: string;
  /** A parser applied to each line before matching; its fields make the record. */
  parser?: string;
  /** type endswith / equal: the text that ends a record (or, with `negate`, continues it). */
  matchString?: string;
  negate?: boolean;
  rules: MultilineRuleSpec[];
}

export const DEFAULT_FLUSH_TIMEOUT_MS = 4000;
/** A joined record grows at most this much (characters), then is emitted as it is (Fluent Bit's multiline_buffer_limit, 2 MB). */
export const MULTILINE_BUFFER_LIMIT = 2 * 1024 * 1024;
