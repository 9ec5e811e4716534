import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { Pipeline } from '../../../src/engine/pipeline.js';
import type { Chunk, InputContext, InputDefinition, LogEvent, OutputDefinition } from '../../../src/engine/types.js';
import { createLogger } from '../../../src/log.js';
import { PLUGINS } from '../../../plugins/index.js';
import { tempDir } from '../../helpers/cli.js';

/** A real Pipeline around the multiline filter: an input the test drives and an output it reads. */

export function manualInput() {
  const state: { ctx?: InputContext } = {};
  const def: InputDefinition = {
    kind: 'input', name: 'manual', description: '', options: [],
    create: (ctx) => {
      state.ctx = ctx;
      return { start() {}, stop() {} };
    },
  };
  return { def, state };
}

export function collectOutput() {
  const got: { tag: string; event: LogEvent }[] = [];
  const def: OutputDefinition = {
    kind: 'output', name: 'collect', description: '', options: [],
    create: () => ({
      async flush(c: Chunk) {
        for (const event of c.data.toEvents()) got.push({ tag: c.tag, event });
        return { status: 'ok' };
      },
    }),
  };
  return { def, got };
}

/** Build a pipeline from the YAML `filters:` items (indented as list items under filters:). */
export function pipeline(filters: string, extraTop = '') {
  const input = manualInput();
  const out = collectOutput();
  const file = join(tempDir(), 'p.yaml');
  writeFileSync(file, `service:
  flush: 50ms
${extraTop}pipeline:
  inputs:
    - name: manual
  filters:
${filters}
  outputs:
    - name: collect
      match: '*'
`);
  const { config, errors } = loadConfig(file, { env: {}, plugins: [...PLUGINS, input.def, out.def] });
  if (!config) throw new Error(errors.map((e) => e.toLine()).join('\n'));
  const p = new Pipeline(config, createLogger('off'));
  return { p, input, out, emit: (events: LogEvent[], tag = 'app', onDone?: () => void) => input.state.ctx!.emit(events, { tag, onDone }) };
}

export const logs = (lines: string[], extra: Record<string, unknown> = {}): LogEvent[] => lines.map((log, i) => ({ time: 1000 + i, record: { log, ...extra } }));

export async function until(ok: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
