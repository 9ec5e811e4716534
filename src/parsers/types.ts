import type { MultilineLookup } from './multiline/registry.js';

/** A parsed line: fields, and the record time (epoch ms) when the parser found one. */
export interface ParseResult {
  time?: number;
  record: Record<string, unknown>;
}

/** A named parser (`json`, `logfmt`, `docker`, `cri`, or a regex from the config's `parsers:`). */
export interface Parser {
  name: string;
  /** Parse one text; null when the text does not match. Never throws for bad input. */
  parse(text: string): ParseResult | null;
}

export interface ParserLookup {
  get(name: string): Parser | undefined;
  names(): string[];
  /** Multiline parsers (`multiline.parser`): the config's `multiline_parsers`, else the built-in go, java, python, ruby. */
  multiline?: MultilineLookup;
}
