import type { LogEvent } from '../../src/engine/types.js';
import type { Parser } from '../../src/parsers/types.js';
import type { LineSink } from './line-splitter.js';
import type { TailFile } from './tail-file.js';

/** Turns lines into events for one batch: `begin` sets the file, the batch and the read time. */
export interface RecordSink extends LineSink {
  begin(file: TailFile, events: LogEvent[], readTime: number): void;
  /** Emit (into the current batch) joins of `file` idle since `idleSince` or earlier (all by default). */
  flushJoins(idleSince?: number): void;
}

/** `path_key` / `offset_key` decoration, shared by the record builders. */
export class Decorator {
  readonly active: boolean;

  constructor(
    private readonly pathKey: string | undefined,
    private readonly offsetKey: string | undefined,
  ) {
    this.active = pathKey !== undefined || offsetKey !== undefined;
  }

  apply(record: Record<string, unknown>, file: TailFile, offset: number): void {
    if (this.pathKey !== undefined) record[this.pathKey] = file.name;
    if (this.offsetKey !== undefined) record[this.offsetKey] = offset;
  }
}

/**
 * Plain lines: `{ log: <text> }` (the `key` option names the field) at the read time, or what
 * the `parser` option makes of the line (its time when it found one); lines the parser does not
 * match stay text. Invalid UTF-8 becomes U+FFFD, never an error.
 */
export class TextRecords implements RecordSink {
  private file!: TailFile;
  private events!: LogEvent[];
  private readTime = 0;

  constructor(
    private readonly key: string,
    private readonly parser: Parser | undefined,
    private readonly deco: Decorator,
  ) {}

  begin(file: TailFile, events: LogEvent[], readTime: number): void {
    this.file = file;
    this.events = events;
    this.readTime = readTime;
  }

  line(buf: Buffer, start: number, end: number, offset: number): void {
    this.text(buf.toString('utf8', start, end), offset);
  }

  /** A line already decoded (container lines that matched no format come here too). */
  text(text: string, offset: number): void {
    let record: Record<string, unknown>;
    let time = this.readTime;
    const parsed = this.parser === undefined ? null : this.parser.parse(text);
    if (parsed !== null) {
      record = parsed.record;
      if (parsed.time !== undefined) time = parsed.time;
    } else if (this.key === 'log') {
      record = { log: text };
    } else {
      record = { [this.key]: text };
    }
    if (this.deco.active) this.deco.apply(record, this.file, offset);
    this.events.push({ time, record });
  }

  flushJoins(): void {}
}
