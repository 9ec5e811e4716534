import type { LogEvent } from '../../src/engine/types.js';
import { newCriFields, parseCriBuffer } from '../../src/parsers/cri.js';
import { dockerTime, parseDockerLine } from '../../src/parsers/docker.js';
import type { ContainerFormat } from './config.js';
import type { Decorator, RecordSink, TextRecords } from './records.js';
import { utf8Boundary } from './line-splitter.js';
import type { PendingJoin, TailFile } from './tail-file.js';

/**
 * A join grows at most this much (characters for docker, bytes for CRI), then is emitted as it is
 * (Fluent Bit's multiline_buffer_limit).
 */
export const MAX_JOIN_SIZE = 2 * 1024 * 1024;

/**
 * `multiline.parser docker, cri`: container runtime lines → records, partial lines rejoined.
 *
 * - CRI `<time> <stream> <P|F> <log>`: `P` parts of a stream are joined until its `F` line.
 *   The runtime cuts at a byte count, inside a UTF-8 character as often as not, so the parts are
 *   joined as bytes and the whole line decoded once.
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
    const joins = this.file.joins;
    const open = joins !== null && joins.size > 0 ? this.openJoin(f.stream, true) : undefined;
    if (f.partial) {
      // A copy: the read buffer is reused for the next read.
      const part = Buffer.from(buf.subarray(f.logStart, end));
      if (open !== undefined) this.appendBytes(open, f.stream, part);
      else this.startJoin(f.stream, '', part, offset, f.time, buf.toString('latin1', f.timeStart, f.timeEnd), undefined);
      return true;
    }
    if (open !== undefined) {
      joins!.delete(f.stream);
      this.push({ time: open.timeText, stream: f.stream, log: joinedBytes(open, buf, f.logStart, end) }, open.time, open.offset);
    } else {
      this.push({ time: buf.toString('latin1', f.timeStart, f.timeEnd), stream: f.stream, log: buf.toString('utf8', f.logStart, end) }, f.time, offset);
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
    const open = joins !== null && joins.size > 0 ? this.openJoin(stream, false) : undefined;
    if (n === 0 || log.charCodeAt(n - 1) !== 10) {
      if (open !== undefined) this.append(open, stream, log);
      else this.startJoin(stream, log, undefined, offset, dockerTime(record), undefined, record);
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

  /** The stream's open join if it is of this format; one of the other format is emitted first. */
  private openJoin(stream: string, cri: boolean): PendingJoin | undefined {
    const j = this.file.joins!.get(stream);
    if (j === undefined || (j.first === undefined) === cri) return j;
    this.file.joins!.delete(stream);
    this.emitJoin(stream, j);
    return undefined;
  }

  private startJoin(stream: string, part: string, bytes: Buffer | undefined, offset: number, time: number,
    timeText: string | undefined, first: Record<string, unknown> | undefined): void {
    if (this.file.joins === null) this.file.joins = new Map();
    const j: PendingJoin = bytes === undefined
      ? { parts: [part], bytes: [], size: part.length, offset, time, timeText, first, lastAt: this.readTime }
      : { parts: [], bytes: [bytes], size: bytes.length, offset, time, timeText, first, lastAt: this.readTime };
    this.file.joins.set(stream, j);
  }

  private append(j: PendingJoin, stream: string, part: string): void {
    if (j.size + part.length > MAX_JOIN_SIZE) {
      // Too long to keep joining: emit what we have, the rest starts a new record.
      this.file.joins!.delete(stream);
      this.emitJoin(stream, j);
      this.startJoin(stream, part, undefined, j.offset, j.time, j.timeText, j.first === undefined ? undefined : { ...j.first });
      return;
    }
    j.parts.push(part);
    j.size += part.length;
    j.lastAt = this.readTime;
  }

  private appendBytes(j: PendingJoin, stream: string, part: Buffer): void {
    if (j.size + part.length > MAX_JOIN_SIZE) {
      // Too long to keep joining: emit what we have, cut before a character the limit splits;
      // that character's first bytes and the rest start a new record.
      const all = Buffer.concat([...j.bytes, part]);
      const cut = utf8Boundary(all, 0, j.size);
      this.file.joins!.delete(stream);
      this.push({ time: j.timeText, stream, log: all.toString('utf8', 0, cut) }, j.time, j.offset);
      this.startJoin(stream, '', all.subarray(cut), j.offset, j.time, j.timeText, undefined);
      return;
    }
    j.bytes.push(part);
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
    if (j.first !== undefined) {
      j.first.log = joined(j, '');
      this.push(j.first, j.time, j.offset);
    } else {
      this.push({ time: j.timeText, stream, log: joinedBytes(j, EMPTY, 0, 0) }, j.time, j.offset);
    }
  }

  private push(record: Record<string, unknown>, time: number, offset: number): void {
    if (this.deco.active) this.deco.apply(record, this.file, offset);
    this.events.push({ time: time === time ? time : this.readTime, record }); // NaN → read time
  }
}

const EMPTY = Buffer.alloc(0);

/** Docker: the parts and the last one, joined. */
function joined(j: PendingJoin, last: string): string {
  if (j.parts.length === 1) return j.parts[0]! + last;
  if (last !== '') j.parts.push(last);
  return j.parts.join('');
}

/** CRI: the parts' bytes and last[start, end), decoded once. */
function joinedBytes(j: PendingJoin, last: Buffer, start: number, end: number): string {
  const out = Buffer.allocUnsafe(j.size + end - start);
  let at = 0;
  for (const b of j.bytes) at += b.copy(out, at);
  last.copy(out, at, start, end);
  return out.toString('utf8');
}
