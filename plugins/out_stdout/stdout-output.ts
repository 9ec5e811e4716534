import { dateOptions } from '../../src/codec/json.js';
import { encodeJsonFormat, encodeReadable, type JsonFormat } from '../../src/codec/json.js';
import type { Chunk, FlushResult, OutputInstance, PluginContext } from '../../src/engine/types.js';

export class StdoutOutput implements OutputInstance {
  private readonly format: string;
  private readonly date;
  private count = 0;
  /** Set when the reader of stdout went away (EPIPE): nothing more can be delivered. */
  private closed?: string;

  constructor(ctx: PluginContext, private readonly out: NodeJS.WritableStream) {
    this.format = ctx.options.str('format');
    this.date = dateOptions(ctx.options.str('json_date_key'), ctx.options.str('json_date_format'));
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (this.closed) return;
      this.closed = err.code === 'EPIPE' ? 'stdout was closed by its reader (EPIPE)' : `cannot write to stdout: ${err.message}`;
      ctx.log.error(this.closed);
    });
  }

  flush(chunk: Chunk): Promise<FlushResult> {
    if (this.closed) return Promise.resolve({ status: 'drop', reason: this.closed });
    let text: string;
    if (this.format === 'msgpack') {
      text = encodeReadable(chunk.data, chunk.tag, this.count);
    } else {
      text = encodeJsonFormat(this.format as JsonFormat, chunk.data, this.date);
      if (this.format !== 'json_lines') text += '\n';
    }
    this.count += chunk.data.count;
    return new Promise((resolve) => {
      this.out.write(text, (err) => {
        if (!err) return resolve({ status: 'ok' });
        const code = (err as NodeJS.ErrnoException).code;
        resolve(code === 'EPIPE' ? { status: 'drop', reason: 'stdout was closed by its reader (EPIPE)' } : { status: 'retry', reason: `cannot write to stdout: ${err.message}` });
      });
    });
  }
}
