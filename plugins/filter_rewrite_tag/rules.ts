import { splitTokens } from '../../src/config/slist.js';
import { parseBool } from '../../src/config/values.js';
import { ConfigError, type SourcePos } from '../../src/errors.js';
import { compileOnigRegex } from '../../src/parsers/onig-regex.js';
import { compileAccessor, type Path } from '../../src/record/accessor.js';
import { compileTagTemplate, type TagTemplate } from './tag-template.js';

/** One `rule KEY REGEX NEW_TAG KEEP`, compiled. */
export interface RewriteRule {
  key: Path;
  regex: RegExp;
  tag: TagTemplate;
  keep: boolean;
  text: string;
}

const FORM = 'rule: $KEY REGEX NEW_TAG KEEP (quote a part with spaces)';

export function compileRule(id: string, text: string, pos: SourcePos | undefined): RewriteRule {
  const fail = (what: string, cause?: unknown) => new ConfigError(`filter '${id}': rule '${text}': ${what}`, pos, { hint: `write it as ${FORM}`, cause });
  const parts = splitTokens(text.trim(), 4);
  if (parts.length !== 4) throw fail(`expects 4 parts (KEY REGEX NEW_TAG KEEP), got ${parts.length}`);
  const [keyText, regexText, tagText, keepText] = parts as [string, string, string, string];
  const key = compileAccessor(keyText);
  if (!key) throw fail(`cannot read the key '${keyText}'`);
  let regex: RegExp;
  try {
    regex = compileOnigRegex(regexText).regex;
  } catch (err) {
    throw fail(`invalid regular expression '${regexText}': ${(err as Error).message}`, err);
  }
  let tag: TagTemplate;
  try {
    tag = compileTagTemplate(tagText);
  } catch (err) {
    throw fail(`new tag '${tagText}': ${(err as Error).message}`, err);
  }
  const keep = parseBool(keepText);
  if (keep === undefined) throw fail(`KEEP must be true or false, got '${keepText}'`);
  return { key, regex, tag, keep, text };
}
