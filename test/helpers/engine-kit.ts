import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { InputContext, InputDefinition, PluginDefinition } from '../../src/engine/types.js';
import { createLogger } from '../../src/log.js';
import { tempDir } from './cli.js';

/** A pipeline built from YAML, with test plugins that the test drives directly. */
export function buildPipeline(yaml: string, plugins: PluginDefinition[]): Pipeline {
  const file = join(tempDir(), 'p.yaml');
  writeFileSync(file, yaml);
  const { config, errors } = loadConfig(file, { env: {}, plugins });
  if (!config) throw new Error(errors.map((e) => e.toLine()).join('\n'));
  return new Pipeline(config, createLogger('off'));
}

/** An input named `manual` the test emits through (`state.ctx.emit`), counting pauses and resumes. */
export function manualInput() {
  const state: { ctx?: InputContext; paused: number; resumed: number } = { paused: 0, resumed: 0 };
  const def: InputDefinition = {
    kind: 'input', name: 'manual', description: '', options: [],
    create: (ctx) => {
      state.ctx = ctx;
      return { start() {}, stop() {}, pause: () => void state.paused++, resume: () => void state.resumed++ };
    },
  };
  return { def, state };
}
