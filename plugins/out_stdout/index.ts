import { dateOptions, JSON_DATE_OPTIONS } from '../../src/codec/json.js';
import { encodeJsonFormat, encodeReadable, type JsonFormat } from '../../src/codec/format.js';
import type { Chunk, FlushResult, OutputDefinition, OutputInstance, PluginContext } from '../../src/engine/types.js';

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
  create: (ctx) => new StdoutOutput(ctx, process.stdout),
};

export class StdoutOutput implements OutputInstance {
  private readonly format: string;
  private readonly date;
  private count = 0;

  constructor(ctx: PluginContext, private readonly out: NodeJS.WritableStream) {
    this.format = ctx.options.str('format');
    this.date = dateOptions(ctx.options.str('json_date_key'), ctx.options.str('json_date_format'));
  }

  flush(chunk: Chunk): Promise<FlushResult> {
    let text: string;
    if (this.format === 'msgpack') {
      text = encodeReadable(chunk.events, chunk.tag, this.count);
    } else {
      text = encodeJsonFormat(this.format as JsonFormat, chunk.events, this.date);
      if (this.format !== 'json_lines') text += '\n';
    }
    this.count += chunk.events.length;
    return new Promise((resolve) => {
      this.out.write(text, (err) => resolve(err ? { status: 'retry', reason: `cannot write to stdout: ${err.message}` } : { status: 'ok' }));
    });
  }
}
