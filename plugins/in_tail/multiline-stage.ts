import type { LogEvent } from '../../src/engine/types.js';
import type { MultilineParser } from '../../src/parsers/multiline/compile.js';
import { MultilineStream } from '../../src/parsers/multiline/joiner.js';
import type { RecordSink } from './records.js';
import type { TailFile } from './tail-file.js';

/** A file's multiline streams, one per container stream (`stdout`, `stderr`; '' for plain lines). */
type FileStreams = Map<string, MultilineStream<number>>;

/**
 * `multiline.parser go|java|python|ruby|<user parser>`: joins the records the line stage makes
 * (plain lines, or container lines once `docker` / `cri` rejoined their parts), per file and per
 * container stream, so a trace written to stderr is not broken by stdout lines between its lines.
 *
 * It wraps the record sink: what the inner sink pushes for a line goes through the file's
 * streams; what they let go goes into the batch. Each record it holds is tagged with the file
 * offset from which reading again reproduces it (the earliest line still held by the inner sink
 * when it came), and `file.heldFrom` keeps the earliest of these, so the offset committed for a
 * batch never passes a line of a record not yet emitted.
 */
export class MultilineStage implements RecordSink {
  private file!: TailFile;
  private events!: LogEvent[];
  private readonly scratch: LogEvent[] = [];
  private streams!: FileStreams;
  /** The read time of the batch (epoch ms): when its lines arrived, for flush_timeout. */
  private now = 0;
  private readonly byFile = new WeakMap<TailFile, FileStreams>();
  private readonly emitTo = (event: LogEvent): void => void this.events.push(event);

  constructor(
    private readonly inner: RecordSink,
    private readonly parsers: readonly MultilineParser[],
    private readonly key: string,
    private readonly onTruncated: () => void,
  ) {}

  /** The shortest flush_timeout of the parsers: how often idle records are looked for. */
  get flushMs(): number {
    return Math.min(...this.parsers.map((p) => p.flushMs));
  }

  begin(file: TailFile, events: LogEvent[], readTime: number): void {
    this.file = file;
    this.events = events;
    this.now = readTime;
    let s = this.byFile.get(file);
    if (s === undefined) this.byFile.set(file, (s = new Map()));
    this.streams = s;
    this.scratch.length = 0;
    this.inner.begin(file, this.scratch, readTime);
  }

  line(buf: Buffer, start: number, end: number, offset: number): void {
    const from = this.earliest(offset);
    this.inner.line(buf, start, end, offset);
    if (this.scratch.length > 0) this.drain(from, this.now);
  }

  flushJoins(idleSince?: number): void {
    const now = Date.now();
    const from = this.earliest(this.file.consumed);
    this.inner.flushJoins(idleSince);
    if (this.scratch.length > 0) this.drain(from, now);
    for (const s of this.streams.values()) {
      if (idleSince === undefined) s.flush();
      else s.flushIdle(now);
    }
    this.updateHeld();
  }

  /** The earliest offset of a line the inner sink still holds (container parts), or `offset`. */
  private earliest(offset: number): number {
    const joins = this.file.joins;
    if (joins === null || joins.size === 0) return offset;
    let o = offset;
    for (const j of joins.values()) if (j.offset < o) o = j.offset;
    return o;
  }

  private drain(from: number, now: number): void {
    const evs = this.scratch;
    for (let i = 0; i < evs.length; i++) {
      const ev = evs[i]!;
      const s = ev.record.stream;
      const name = typeof s === 'string' ? s : '';
      let stream = this.streams.get(name);
      if (stream === undefined) {
        stream = new MultilineStream<number>(this.parsers, { key: this.key, onTruncated: this.onTruncated }, this.emitTo);
        this.streams.set(name, stream);
      }
      stream.push(ev, from, now);
    }
    evs.length = 0;
    this.updateHeld();
  }

  private updateHeld(): void {
    let held = Infinity;
    for (const s of this.streams.values()) {
      const t = s.heldToken;
      if (t !== undefined && t < held) held = t;
    }
    this.file.heldFrom = held;
  }
}
