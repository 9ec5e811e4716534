import type { OptionSpec } from '../../src/config/types.js';

/** `modify`'s rule and condition keys, and its options (data only: the filter itself loads on create). */
export const RULE_KEYS = ['set', 'add', 'remove', 'remove_wildcard', 'remove_regex', 'rename', 'hard_rename', 'copy', 'hard_copy', 'move_to_start', 'move_to_end'] as const;
export const CONDITION_KEYS = ['key_exists', 'key_does_not_exist', 'a_key_matches', 'no_key_matches', 'key_value_equals', 'key_value_does_not_equal', 'key_value_matches', 'key_value_does_not_match'] as const;

const RULE_DOCS: Record<(typeof RULE_KEYS)[number], string> = {
  set: 'KEY VALUE: set KEY to VALUE, replacing it if present.',
  add: 'KEY VALUE: add KEY with VALUE if KEY is not present.',
  remove: 'KEY: remove KEY.',
  remove_wildcard: 'PATTERN: remove keys matching a wildcard (Mem.* or a prefix).',
  remove_regex: 'REGEX: remove keys matching a regular expression.',
  rename: 'KEY NEW: rename KEY to NEW if NEW is not present.',
  hard_rename: 'KEY NEW: rename KEY to NEW, replacing NEW.',
  copy: 'KEY NEW: copy KEY to NEW if NEW is not present.',
  hard_copy: 'KEY NEW: copy KEY to NEW, replacing NEW.',
  move_to_start: 'PATTERN: move matching keys to the start of the record.',
  move_to_end: 'PATTERN: move matching keys to the end of the record.',
};

export const MODIFY_OPTIONS: OptionSpec[] = [
  ...RULE_KEYS.map((k): OptionSpec => ({ key: k, type: 'multi', desc: RULE_DOCS[k] + ' Repeatable.' })),
  {
    key: 'condition',
    type: 'multi',
    desc: `CONDITION ARGS: apply the rules only when every condition holds; one of ${CONDITION_KEYS.join(', ')} (e.g. key_value_equals level error).`,
  },
];
