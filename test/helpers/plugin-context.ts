import { Writable } from 'node:stream';
import { instanceOptions } from '../../src/config/common-options.js';
import { resolveOptions } from '../../src/config/options-resolve.js';
import type { PluginOptions, RawEntry, RawValue } from '../../src/config/types.js';
import type { PluginContext, PluginDefinition } from '../../src/engine/types.js';
import { createLogger } from '../../src/log.js';
import { buildParsers } from '../../src/parsers/registry.js';

/**
 * Options for a plugin as the config loader gives them: entries (in the order written, as a
 * user writes them in YAML) validated against the plugin's specs plus the engine's common keys.
 */
export function resolvedOptions(def: PluginDefinition, entries: Array<[string, RawValue]>): PluginOptions {
  const pos = { file: 'test.yaml', line: 1, col: 1 };
  const raw: RawEntry[] = entries.map(([key, value], i) => ({ key, value, pos: { ...pos, line: i + 2 } }));
  const { options, errors } = resolveOptions({ kind: def.kind, name: def.name, entries: raw, pos }, instanceOptions(def.kind, def.options), `${def.kind} '${def.name}'`);
  if (errors.length > 0) throw errors[0];
  return options;
}

export interface CapturedContext extends PluginContext {
  counters: Map<string, number>;
  logs: Array<Record<string, unknown>>;
}

/** A PluginContext for one instance; logs and counters are captured. */
export function pluginContext(def: PluginDefinition, entries: Array<[string, RawValue]>, baseDir = process.cwd()): CapturedContext {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const counters = new Map<string, number>();
  return {
    id: `${def.name}.0`,
    options: resolvedOptions(def, entries),
    log: createLogger('debug', sink),
    metrics: { add: (c, n = 1) => void counters.set(c, (counters.get(c) ?? 0) + n) },
    parsers: buildParsers([]).lookup,
    signal: new AbortController().signal,
    baseDir,
    counters,
    logs,
  };
}
