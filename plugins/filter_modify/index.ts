import type { FilterDefinition } from '../../src/engine/types.js';
import { MODIFY_OPTIONS } from './config.js';

/** Changes record fields: set, add, remove, rename, copy, in the order written. */
export const modifyFilter: FilterDefinition = {
  kind: 'filter',
  name: 'modify',
  description: 'Sets, adds, removes, renames and copies top-level record fields, optionally under conditions.',
  options: MODIFY_OPTIONS,
  async create(ctx) {
    const { ModifyFilter } = await import('./modify-filter.js');
    return new ModifyFilter(ctx);
  },
};
