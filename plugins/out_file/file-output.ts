import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorLine } from '../../src/errors.js';
import type { Chunk, FlushResult, LogEvent, OutputInstance, PluginContext } from '../../src/engine/types.js';
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
    let text = '';
    for (const e of chunk.events) text += this.line(e, chunk.tag) + '\n';
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

  private line(e: LogEvent, tag: string): string {
    const secs = (e.time / 1000).toFixed(6);
    switch (this.format) {
      case 'plain':
        return JSON.stringify(e.record);
      case 'csv':
        return [secs, ...Object.values(e.record).map((v) => csvField(valueToString(v) ?? '', this.delimiter))].join(this.delimiter);
      case 'ltsv':
        return [`time${this.labelDelimiter}${secs}`, ...Object.entries(e.record).map(([k, v]) => `${k}${this.labelDelimiter}${valueToString(v) ?? ''}`)].join(this.delimiter);
      case 'template':
        return this.template.replace(/\{([^{}]+)\}/g, (_, k: string) => (k === 'time' ? secs : valueToString(e.record[k]) ?? ''));
      default:
        return `${tag}: [${secs}, ${JSON.stringify(e.record)}]`;
    }
  }
}

function csvField(v: string, delimiter: string): string {
  return v.includes(delimiter) || v.includes('"') || v.includes('\n') ? `"${v.replace(/"/g, '""')}"` : v;
}

function unescape(s: string): string {
  return s.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}
