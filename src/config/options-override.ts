import { PluginOptions } from './types.js';
import type { SourcePos } from '../errors.js';

/**
 * The same resolved options with some values set (a plugin mapping another plugin's keys, or
 * filling a default it cannot declare as data). Positions stay those of the section.
 */
export function withOverrides(o: PluginOptions, values: Record<string, unknown>): PluginOptions {
  const map = new Map<string, unknown>(o.keys().map((k) => [k, o.raw(k)]));
  for (const [k, v] of Object.entries(values)) map.set(k, v);
  const positions = new Map<string, SourcePos>();
  for (const k of map.keys()) {
    const p = o.pos(k);
    if (p) positions.set(k, p);
  }
  return new PluginOptions(map, positions, o.entries, o.sectionPos);
}
