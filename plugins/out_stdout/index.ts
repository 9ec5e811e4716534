import { JSON_DATE_OPTIONS } from '../../src/codec/json.js';
import type { OutputDefinition } from '../../src/engine/types.js';

/** Prints records to standard output. */
export const stdoutOutput: OutputDefinition = {
  kind: 'output',
  name: 'stdout',
  description: 'Prints records to standard output, readable or as JSON.',
  options: [
    {
      key: 'format',
      type: 'string',
      default: 'msgpack',
      enum: ['msgpack', 'json', 'json_lines', 'json_stream'],
      desc: 'msgpack: readable `[n] tag: [time, {record}]` lines (as Fluent Bit); json: an array per flush; json_lines: one object per line; json_stream: objects back to back.',
    },
    ...JSON_DATE_OPTIONS,
  ],
  async create(ctx) {
    const { StdoutOutput } = await import('./stdout-output.js');
    return new StdoutOutput(ctx, process.stdout);
  },
};
