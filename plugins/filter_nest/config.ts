import type { OptionSpec } from '../../src/config/types.js';

export const NEST_OPTIONS: readonly OptionSpec[] = [
  { key: 'operation', type: 'string', enum: ['nest', 'lift'], required: true, desc: 'nest: move the keys matching wildcard under nest_under; lift: move the keys of the map at nested_under to the top level.' },
  { key: 'wildcard', type: 'multi', desc: 'nest: a key to move (case-sensitive; a trailing * matches a prefix, * alone every key). Repeatable.' },
  { key: 'nest_under', type: 'string', desc: 'nest: the key of the new map (replaces a key of that name).' },
  { key: 'nested_under', type: 'string', desc: 'lift: the key whose map is lifted (a value that is not a map is left alone, with a warning).' },
  { key: 'add_prefix', type: 'string', desc: 'Prefix the keys moved (nested or lifted) with this text.' },
  { key: 'remove_prefix', type: 'string', desc: 'Remove this prefix from the keys moved that start with it; not with add_prefix.' },
];
