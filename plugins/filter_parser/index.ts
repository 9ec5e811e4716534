import type { FilterDefinition } from '../../src/engine/types.js';

/** `parser` filter (Fluent Bit's): parse one field of each record with named parsers. */
export const parserFilter: FilterDefinition = {
  kind: 'filter',
  name: 'parser',
  description: 'Parse a field of each record with named parsers (json, logfmt, docker, cri, regex from parsers:).',
  options: [
    { key: 'key_name', type: 'string', required: true, desc: 'Field to parse (a record accessor such as $log or $data[\'raw\'] works too).' },
    { key: 'parser', type: 'multi', required: true, desc: 'Parser name; repeat the key to try several in order, the first that matches wins.' },
    { key: 'reserve_data', type: 'bool', default: 'off', desc: 'Keep the record\'s other fields next to the parsed ones.' },
    { key: 'preserve_key', type: 'bool', default: 'off', desc: 'Keep the key_name field itself next to the parsed ones.' },
    { key: 'nest_under', type: 'string', desc: 'Put the parsed fields under this key instead of at the top level.' },
    { key: 'unescape_key', type: 'bool', default: 'off', desc: 'Deprecated in Fluent Bit; accepted and ignored.' },
  ],
  async create(ctx) {
    const { createParserFilter } = await import('./parser-filter.js');
    return createParserFilter(ctx);
  },
};
