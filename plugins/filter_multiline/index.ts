import type { FilterDefinition } from '../../src/engine/types.js';
import { MULTILINE_FILTER_OPTIONS } from './config.js';

/** `multiline`: join records (stack traces, Docker partial messages) as Fluent Bit's filter_multiline. */
export const multilineFilter: FilterDefinition = {
  kind: 'filter',
  name: 'multiline',
  description: 'Join records that belong together: stack traces by multiline parser rules (go, java, python, ruby, multiline_parsers:), or the parts of lines Docker split (partial_message).',
  options: MULTILINE_FILTER_OPTIONS,
  async create(ctx) {
    const { readMultilineFilterConfig } = await import('./config.js');
    const { MultilineFilter } = await import('./filter.js');
    return new MultilineFilter(ctx, readMultilineFilterConfig(ctx.options, ctx.id, ctx.parsers));
  },
};

export default multilineFilter;
