import type { OptionSpec } from '../../src/config/types.js';

export const RECORD_MODIFIER_OPTIONS: readonly OptionSpec[] = [
  { key: 'record', type: 'multi', desc: 'KEY VALUE: append the field KEY with the text VALUE (quote a VALUE with spaces: KEY "a b"; ${ENV} is expanded); a KEY already there is replaced and moves to the end. Repeatable.' },
  { key: 'remove_key', type: 'multi', desc: 'Remove this key (case-insensitive; a trailing * matches a prefix). Repeatable; not with allowlist_key.' },
  { key: 'allowlist_key', type: 'multi', desc: 'Keep only the keys listed (case-insensitive; a trailing * matches a prefix); fields appended by record and uuid_key stay. Repeatable.' },
  { key: 'whitelist_key', type: 'multi', desc: 'Alias of allowlist_key.' },
  { key: 'uuid_key', type: 'string', desc: 'Add a random UUID (v4) to each record under this key.' },
];
