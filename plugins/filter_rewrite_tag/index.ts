import type { FilterDefinition } from '../../src/engine/types.js';
import { REWRITE_TAG_OPTIONS } from './config.js';

/** Fluent Bit's rewrite_tag: re-emit matching records under a new tag, from the top of the pipeline. */
export const rewriteTagFilter: FilterDefinition = {
  kind: 'filter',
  name: 'rewrite_tag',
  description: 'Re-emits records whose key matches a regex under a new tag (captures, $TAG and record fields in it); they run the pipeline again from the top through an emitter input, optionally keeping the original.',
  options: REWRITE_TAG_OPTIONS,
  async create(ctx) {
    const { RewriteTagFilter } = await import('./rewrite-tag.js');
    return new RewriteTagFilter(ctx);
  },
};
