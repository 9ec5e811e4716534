import type { PluginDefinition } from '../src/engine/types.js';
import { parserFilter } from './filter_parser/index.js';

/**
 * Every plugin Wren ships. One folder a plugin, named as in Fluent Bit (`in_tail`, `out_http`);
 * each folder's index.ts exports its definition. Add new plugins here, one import line each.
 */
export const PLUGINS: readonly PluginDefinition[] = [
  parserFilter,
];
