import { StringDecoder } from 'node:string_decoder';
import { ConfigError } from '../../src/errors.js';
import type { InputContext, InputInstance, LogEvent } from '../../src/engine/types.js';
import type { Parser } from '../../src/parsers/types.js';

export class StdinInput implements InputInstance {
  private readonly parser?: Parser;
  private readonly maxLine: number;
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private ended = false;

  constructor(private readonly ctx: InputContext, private readonly stream: NodeJS.ReadableStream) {
    const name = ctx.options.optStr('parser');
    if (name !== undefined) {
      this.parser = ctx.parsers.get(name);
      if (!this.parser) throw new ConfigError(`input '${ctx.id}': parser '${name}' is not defined`, ctx.options.pos('parser'), { hint: `define it under parsers:, or use one of ${ctx.parsers.names().join(', ')}` });
    }
    this.maxLine = ctx.options.num('buffer_size');
  }

  start(): void {
    this.stream.on('data', (d: Buffer | string) => this.onData(typeof d === 'string' ? d : this.decoder.write(d)));
    this.stream.on('end', () => this.onEnd());
    this.stream.on('error', (err: Error) => {
      this.ctx.log.error(`reading stdin failed: ${err.message}`);
      this.onEnd();
    });
  }

  private onData(text: string): void {
    const all = this.rest + text;
    const lines = all.split('\n');
    this.rest = lines.pop()!;
    while (this.rest.length > this.maxLine) {
      lines.push(this.rest.slice(0, this.maxLine));
      this.rest = this.rest.slice(this.maxLine);
    }
    this.emitLines(lines);
  }

  private onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    const last = this.rest + this.decoder.end();
    this.rest = '';
    if (last.length > 0) this.emitLines([last]);
    this.ctx.done();
  }

  private emitLines(lines: string[]): void {
    const events: LogEvent[] = [];
    let bytes = 0;
    const now = Date.now();
    for (let line of lines) {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      bytes += line.length + 1;
      if (line.trim() === '') continue;
      events.push(this.toEvent(line, now));
    }
    if (events.length === 0) return;
    if (!this.ctx.emit(events, { bytes })) this.stream.pause();
  }

  private toEvent(line: string, now: number): LogEvent {
    if (this.parser) {
      const r = this.parser.parse(line);
      return r ? { time: r.time ?? now, record: r.record } : { time: now, record: { log: line } };
    }
    const c = line.charCodeAt(0);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      try {
        const v = JSON.parse(line) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) return { time: now, record: v as Record<string, unknown> };
        // Fluent Bit's event form: [time, {record}]
        if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && v[1] && typeof v[1] === 'object') {
          return { time: v[0] * 1000, record: v[1] as Record<string, unknown> };
        }
      } catch {
        // not JSON: falls through to a plain line
      }
    }
    return { time: now, record: { log: line } };
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  stop(): void {
    this.stream.pause();
    this.stream.removeAllListeners('data');
  }
}
