import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorLine } from '../../src/errors.js';
import type { EventData } from '../../src/engine/event-data.js';
import type { Chunk, FlushResult, OutputInstance, PluginContext } from '../../src/engine/types.js';
import { valueToString } from '../../src/record/accessor.js';

export class FileOutput implements OutputInstance {
  private readonly dir: string;
  private readonly name?: string;
  private readonly format: string;
  private readonly delimiter: string;
  private readonly labelDelimiter: string;
  private readonly template: string;
  private readonly mkdir: boolean;
  private made = false;

  constructor(ctx: PluginContext) {
    const o = ctx.options;
    this.dir = resolve(ctx.baseDir, o.optStr('path') ?? process.cwd());
    this.name = o.optStr('file');
    this.format = o.str('format');
    this.delimiter = unescape(o.optStr('delimiter') ?? (this.format === 'ltsv' ? '\t' : ','));
    this.labelDelimiter = unescape(o.str('label_delimiter'));
    this.template = o.str('template');
    this.mkdir = o.bool('mkdir');
  }

  async flush(chunk: Chunk): Promise<FlushResult> {
    const file = join(this.dir, this.name ?? chunk.tag);
    const d = chunk.data;
    let text = '';
    for (let i = 0; i < d.count; i++) text += this.line(d, i, chunk.tag) + '\n';
    try {
      if (this.mkdir && !this.made) {
        await mkdir(this.dir, { recursive: true });
        this.made = true;
      }
      await appendFile(file, text);
      return { status: 'ok' };
    } catch (err) {
      const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (create the directory, or set mkdir: on)' : '';
      return { status: 'retry', reason: `cannot write ${file}: ${errorLine(err)}${hint}` };
    }
  }

  private line(d: EventData, i: number, tag: string): string {
    const secs = (d.times[i]! / 1000).toFixed(6);
    switch (this.format) {
      case 'plain':
        return d.text(i);
      case 'csv':
        return [secs, ...Object.values(d.record(i)).map((v) => csvField(valueToString(v) ?? '', this.delimiter))].join(this.delimiter);
      case 'ltsv':
        return [`time${this.labelDelimiter}${secs}`, ...Object.entries(d.record(i)).map(([k, v]) => `${k}${this.labelDelimiter}${valueToString(v) ?? ''}`)].join(this.delimiter);
      case 'template': {
        const record = d.record(i);
        return this.template.replace(/\{([^{}]+)\}/g, (_, k: string) => (k === 'time' ? secs : valueToString(record[k]) ?? ''));
      }
      default:
        return `${tag}: [${secs}, ${d.text(i)}]`;
    }
  }
}

function csvField(v: string, delimiter: string): string {
  return v.includes(delimiter) || v.includes('"') || v.includes('\n') ? `"${v.replace(/"/g, '""')}"` : v;
}

function unescape(s: string): string {
  return s.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}
