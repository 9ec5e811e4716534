import type { FilterDefinition } from '../../src/engine/types.js';

/** Keeps or drops records by regular expressions on their fields. */
export const grepFilter: FilterDefinition = {
  kind: 'filter',
  name: 'grep',
  description: 'Keeps records whose fields match (regex) or do not match (exclude) regular expressions.',
  options: [
    { key: 'regex', type: 'multi', desc: "KEY REGEX: keep records whose KEY (a field or record accessor like $kubernetes['namespace_name']) matches. Repeatable." },
    { key: 'exclude', type: 'multi', desc: 'KEY REGEX: drop records whose KEY matches. Repeatable.' },
    {
      key: 'logical_op',
      type: 'string',
      default: 'legacy',
      enum: ['legacy', 'and', 'or'],
      desc: 'legacy: every regex must match and no exclude may; and / or: combine rules of one kind (all regex, or all exclude).',
    },
  ],
  async create(ctx) {
    const { GrepFilter } = await import('./grep-filter.js');
    return new GrepFilter(ctx);
  },
};
