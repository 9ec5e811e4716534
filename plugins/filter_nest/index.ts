import type { FilterDefinition } from '../../src/engine/types.js';
import { NEST_OPTIONS } from './config.js';

/** Fluent Bit's nest: move keys under a new map (nest), or a map's keys up to the top (lift). */
export const nestFilter: FilterDefinition = {
  kind: 'filter',
  name: 'nest',
  description: 'Nests top-level keys matching wildcards under one key (operation nest), or lifts the keys of a nested map to the top level (operation lift).',
  options: NEST_OPTIONS,
  async create(ctx) {
    const { NestFilter } = await import('./nest.js');
    return new NestFilter(ctx);
  },
};
