import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGINS } from '../../plugins/index.js';
import { loadConfig } from '../../src/config/load.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Chunk, InputContext, InputDefinition, LogEvent, OutputDefinition, PluginDefinition } from '../../src/engine/types.js';
import { createLogger } from '../../src/log.js';
import { tempDir } from './cli.js';

/**
 * A real Pipeline built from YAML with Wren's plugins plus two test plugins the test drives:
 * input `manual` (the test emits through its context) and output `collect` (records what it is
 * flushed, per tag; `gated: true` holds flushes until `open()`).
 */
export interface Collected {
  tag: string;
  record: Record<string, unknown>;
}

export interface TestPipeline {
  pipeline: Pipeline;
  /** The manual input's context, by alias (or `manual.N`). */
  input(id?: string): InputContext;
  got: Collected[];
  /** Times the manual inputs were paused / resumed, by id. */
  pauses: Map<string, { paused: number; resumed: number }>;
  open(): void;
  /** Resolves once `ok()` holds (polling), failing after `ms`. */
  until(ok: () => boolean, ms?: number): Promise<void>;
  counter(instance: string, name: string): number;
}

export async function startTestPipeline(yaml: string, opts: { env?: NodeJS.ProcessEnv; gated?: boolean; plugins?: readonly PluginDefinition[] } = {}): Promise<TestPipeline> {
  const inputs = new Map<string, InputContext>();
  const pauses = new Map<string, { paused: number; resumed: number }>();
  const manual: InputDefinition = {
    kind: 'input', name: 'manual', description: 'test input', options: [],
    create: (ctx) => {
      inputs.set(ctx.id, ctx);
      const p = { paused: 0, resumed: 0 };
      pauses.set(ctx.id, p);
      return { start() {}, stop() {}, pause: () => void p.paused++, resume: () => void p.resumed++ };
    },
  };
  const got: Collected[] = [];
  let open = !opts.gated;
  let waiters: (() => void)[] = [];
  const collect: OutputDefinition = {
    kind: 'output', name: 'collect', description: 'test output', options: [],
    create: () => ({
      async flush(c: Chunk) {
        if (!open) await new Promise<void>((r) => waiters.push(r));
        for (const e of c.data.toEvents()) got.push({ tag: c.tag, record: e.record });
        return { status: 'ok' };
      },
    }),
  };
  const file = join(tempDir(), 'p.yaml');
  writeFileSync(file, yaml);
  const { config, errors } = loadConfig(file, { env: opts.env ?? {}, plugins: [...PLUGINS, manual, collect, ...(opts.plugins ?? [])] });
  if (!config) throw new Error(errors.map((e) => e.toLine()).join('\n'));
  const pipeline = new Pipeline(config, createLogger('off'), opts.env ?? {});
  await pipeline.start();
  return {
    pipeline,
    input: (id = 'manual.0') => inputs.get(id)!,
    got,
    pauses,
    open: () => { open = true; waiters.forEach((w) => w()); waiters = []; },
    async until(ok, ms = 5000) {
      const t0 = Date.now();
      while (!ok()) {
        if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    counter: (instance, name) => pipeline.metrics.instances().find((m) => m.id === instance)?.get(name) ?? 0,
  };
}

export const recs = (...records: Record<string, unknown>[]): LogEvent[] => records.map((record) => ({ time: 1_700_000_000_000, record }));
