import type { FilterDefinition } from '../../src/engine/types.js';
import { RECORD_MODIFIER_OPTIONS } from './config.js';

/** Fluent Bit's record_modifier: append fixed fields, remove or keep keys, add a UUID. */
export const recordModifierFilter: FilterDefinition = {
  kind: 'filter',
  name: 'record_modifier',
  description: 'Appends fields (record KEY VALUE), removes keys (remove_key) or keeps only some (allowlist_key), and adds a UUID per record (uuid_key).',
  options: RECORD_MODIFIER_OPTIONS,
  async create(ctx) {
    const { RecordModifierFilter } = await import('./record-modifier.js');
    return new RecordModifierFilter(ctx);
  },
};
