import type { LogEvent } from '../../src/engine/types.js';
import { newCriFields, parseCriBuffer } from '../../src/parsers/cri.js';
import { dockerTime, parseDockerLine } from '../../src/parsers/docker.js';
import type { ContainerFormat } from './config.js';
import type { Decorator, RecordSink, TextRecords } from './records.js';
import type { PendingJoin, TailFile } from './tail-file.js';

/** A join grows at most this much, then is emitted as it is (Fluent Bit's multiline_buffer_limit). */
export const MAX_JOIN_CHARS = 2 * 1024 * 1024;

/**
 * `multiline.parser docker, cri`: container runtime lines → records, partial lines rejoined.
 *
 * - CRI `<time> <stream> <P|F> <log>`: `P` parts of a stream are joined until its `F` line.
 *   Record `{ time: <time text>, stream, log }` (Fluent Bit also keeps `_p`, which after
 *   joining only says the first part was partial, so Wren leaves it out).
 * - docker json-file `{"log","stream","time",…}`: a `log` without a trailing `\n` is a part;
 *   parts of a stream are joined until one ends in `\n`. The record is the first part's object
 *   with `log` joined, without the trailing newline.
 * Event time is the (first) line's own timestamp, µs kept. Lines of neither format are emitted
 * as text (`{ log }` at read time), after whatever was pending, so order is kept.
 */
export class ContainerRecords implements RecordSink {
  private file!: TailFile;
  private events!: LogEvent[];
  private readTime = 0;
  private readonly cri: boolean;
  private readonly docker: boolean;
  private readonly f = newCriFields();

  constructor(
    formats: readonly ContainerFormat[],
    private readonly deco: Decorator,
    private readonly plain: TextRecords,
  ) {
    this.cri = formats.includes('cri');
    this.docker = formats.includes('docker');
  }

  begin(file: TailFile, events: LogEvent[], readTime: number): void {
    this.file = file;
    this.events = events;
    this.readTime = readTime;
    this.plain.begin(file, events, readTime);
  }

  line(buf: Buffer, start: number, end: number, offset: number): void {
    // The two formats cannot both match a line (JSON starts with '{', CRI with a time), so the
    // first byte picks the one to try: the same result as trying them in the order given.
    if (buf[start] === 0x7b) {
      if (this.docker && this.dockerLine(buf.toString('utf8', start, end), offset)) return;
    } else if (this.cri && this.criLine(buf, start, end, offset)) return;
    this.flushJoins();
    this.plain.line(buf, start, end, offset);
  }

  private criLine(buf: Buffer, start: number, end: number, offset: number): boolean {
    const f = this.f;
    if (!parseCriBuffer(buf, start, end, f)) return false;
    const log = buf.toString('utf8', f.logStart, end);
    const joins = this.file.joins;
    const open = joins !== null && joins.size > 0 ? joins.get(f.stream) : undefined;
    if (f.partial) {
      if (open !== undefined) this.append(open, f.stream, log);
      else this.startJoin(f.stream, log, offset, f.time, buf.toString('latin1', f.timeStart, f.timeEnd), undefined);
      return true;
    }
    if (open !== undefined) {
      joins!.delete(f.stream);
      this.push({ time: open.timeText, stream: f.stream, log: joined(open, log) }, open.time, open.offset);
    } else {
      this.push({ time: buf.toString('latin1', f.timeStart, f.timeEnd), stream: f.stream, log }, f.time, offset);
    }
    return true;
  }

  private dockerLine(text: string, offset: number): boolean {
    const record = parseDockerLine(text);
    if (record === null) return false;
    const log = record.log as string;
    const stream = typeof record.stream === 'string' ? record.stream : '';
    const n = log.length;
    const joins = this.file.joins;
    const open = joins !== null && joins.size > 0 ? joins.get(stream) : undefined;
    if (n === 0 || log.charCodeAt(n - 1) !== 10) {
      if (open !== undefined) this.append(open, stream, log);
      else this.startJoin(stream, log, offset, dockerTime(record), undefined, record);
      return true;
    }
    const last = log.slice(0, n > 1 && log.charCodeAt(n - 2) === 13 ? n - 2 : n - 1);
    if (open !== undefined) {
      joins!.delete(stream);
      const first = open.first!;
      first.log = joined(open, last);
      this.push(first, open.time, open.offset);
    } else {
      record.log = last;
      this.push(record, dockerTime(record), offset);
    }
    return true;
  }

  private startJoin(stream: string, part: string, offset: number, time: number, timeText: string | undefined, first: Record<string, unknown> | undefined): void {
    if (this.file.joins === null) this.file.joins = new Map();
    this.file.joins.set(stream, { parts: [part], size: part.length, offset, time, timeText, first, lastAt: this.readTime });
  }

  private append(j: PendingJoin, stream: string, part: string): void {
    if (j.size + part.length > MAX_JOIN_CHARS) {
      // Too long to keep joining: emit what we have, the rest starts a new record.
      this.file.joins!.delete(stream);
      this.emitJoin(stream, j);
      this.startJoin(stream, part, j.offset, j.time, j.timeText, j.first === undefined ? undefined : { ...j.first });
      return;
    }
    j.parts.push(part);
    j.size += part.length;
    j.lastAt = this.readTime;
  }

  flushJoins(idleSince = Infinity): void {
    const joins = this.file.joins;
    if (joins === null || joins.size === 0) return;
    for (const [stream, j] of joins) {
      if (j.lastAt > idleSince) continue;
      joins.delete(stream);
      this.emitJoin(stream, j);
    }
  }

  private emitJoin(stream: string, j: PendingJoin): void {
    const text = joined(j, '');
    if (j.first !== undefined) {
      j.first.log = text;
      this.push(j.first, j.time, j.offset);
    } else {
      this.push({ time: j.timeText, stream, log: text }, j.time, j.offset);
    }
  }

  private push(record: Record<string, unknown>, time: number, offset: number): void {
    if (this.deco.active) this.deco.apply(record, this.file, offset);
    this.events.push({ time: time === time ? time : this.readTime, record }); // NaN → read time
  }
}

function joined(j: PendingJoin, last: string): string {
  if (j.parts.length === 1) return j.parts[0]! + last;
  if (last !== '') j.parts.push(last);
  return j.parts.join('');
}
