import { PluginOptions, type OptionSpec } from '../../../src/config/types.js';
import { parseBool, parseDuration, parseInteger, parseNumber, parseSize } from '../../../src/config/values.js';
import type { PluginContext } from '../../../src/engine/types.js';
import { createLogger } from '../../../src/log.js';
import type { ParserLookup } from '../../../src/parsers/types.js';
import { buildParsers } from '../../../src/parsers/registry.js';

/** Typed options as the config loader would give them: declared defaults applied, text parsed. */
export function optionsFor(specs: readonly OptionSpec[], given: Record<string, unknown>): PluginOptions {
  const values = new Map<string, unknown>();
  for (const s of specs) {
    const raw = given[s.key] ?? s.default;
    if (raw === undefined) continue;
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      values.set(s.key, raw);
      continue;
    }
    const t = String(raw);
    const v = s.type === 'bool' ? parseBool(t) : s.type === 'time' ? parseDuration(t) : s.type === 'size' ? parseSize(t)
      : s.type === 'int' ? parseInteger(t) : s.type === 'double' ? parseNumber(t) : s.type === 'multi' || s.type === 'list' ? [t] : t;
    if (v === undefined) throw new Error(`bad test value for ${s.key}: ${t}`);
    values.set(s.key, v);
  }
  for (const k of Object.keys(given)) if (!specs.some((s) => s.key === k)) throw new Error(`unknown option ${k}`);
  return new PluginOptions(values, new Map(), [], { file: 'test.yaml', line: 1, col: 1 });
}

export interface TestContext extends PluginContext {
  counters: Map<string, number>;
  logLines: Array<Record<string, unknown>>;
  abort: AbortController;
}

/** A PluginContext for one filter instance; log lines are captured as objects. */
export function contextFor(specs: readonly OptionSpec[], given: Record<string, unknown>, parsers?: ParserLookup): TestContext {
  const logLines: Array<Record<string, unknown>> = [];
  const sink = { write(line: string) { logLines.push(JSON.parse(line) as Record<string, unknown>); return true; } };
  const counters = new Map<string, number>();
  const abort = new AbortController();
  return {
    id: 'test.0',
    options: optionsFor(specs, given),
    log: createLogger('debug', sink as unknown as NodeJS.WritableStream),
    metrics: { add: (c, n = 1) => counters.set(c, (counters.get(c) ?? 0) + n) },
    parsers: parsers ?? buildParsers([]).lookup,
    signal: abort.signal,
    baseDir: process.cwd(),
    counters,
    logLines,
    abort,
  };
}
