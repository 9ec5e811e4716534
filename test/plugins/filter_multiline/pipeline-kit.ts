import type { Chunk, LogEvent, OutputDefinition } from '../../../src/engine/types.js';
import { PLUGINS } from '../../../plugins/index.js';
import { buildPipeline, manualInput } from '../../helpers/engine-kit.js';
import { until } from '../../helpers/until.js';

/** A real Pipeline around the multiline filter: an input the test drives and an output it reads. */

export { manualInput };

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
  const p = buildPipeline(`service:
  flush: 50ms
${extraTop}pipeline:
  inputs:
    - name: manual
  filters:
${filters}
  outputs:
    - name: collect
      match: '*'
`, [...PLUGINS, input.def, out.def]);
  return { p, input, out, emit: (events: LogEvent[], tag = 'app', onDone?: () => void) => input.state.ctx!.emit(events, { tag, onDone }) };
}

export const logs = (lines: string[], extra: Record<string, unknown> = {}): LogEvent[] => lines.map((log, i) => ({ time: 1000 + i, record: { log, ...extra } }));

export { until };
