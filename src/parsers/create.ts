import type { Parser } from './types.js';
import { createJsonParser } from './json.js';
import { createLogfmtParser } from './logfmt.js';
import { createLtsvParser } from './ltsv.js';
import { createRegexParser } from './regex.js';
import type { ParserSpec } from './spec.js';

/** Build a parser from its definition; throws SpecError naming the bad key. */
export function createParser(spec: ParserSpec): Parser {
  switch (spec.format) {
    case 'json': return createJsonParser(spec);
    case 'regex': return createRegexParser(spec);
    case 'logfmt': return createLogfmtParser(spec);
    case 'ltsv': return createLtsvParser(spec);
  }
}
