import type { LogEvent } from '../../src/engine/types.js';
import type { LineSplitter } from './line-splitter.js';
import type { RecordSink } from './records.js';
import type { TailFile } from './tail-file.js';

/** Bytes read per read(2): large reads keep the per-line cost low. */
export const READ_SIZE = 128 * 1024;
/** The last bytes before the read position kept to notice truncate-and-regrow. */
const PRINT_SIZE = 16;

export type ReadOutcome = 'eof' | 'more' | 'paused' | 'stopped';

/** Hands a batch to the input: emit + commit bookkeeping. False when the input must pause. */
export type BatchEmitter = (file: TailFile, events: LogEvent[], bytes: number) => boolean;

/**
 * Reads files into one shared buffer (the input reads one file at a time), cuts lines, builds
 * records and emits one batch per read. A line cut by the end of a read is carried to the next.
 */
export class FileReader {
  private readonly shared: Buffer;
  private readonly probe = Buffer.allocUnsafe(PRINT_SIZE);

  constructor(
    maxLine: number,
    private readonly splitter: LineSplitter,
    private readonly sink: RecordSink,
    private readonly emit: BatchEmitter,
    private readonly isPaused: () => boolean,
    /** Handles a truncation; returns the size to read up to (the copy's, when reading moved to a copy). */
    private readonly onTruncated: (file: TailFile, size: number) => Promise<number>,
  ) {
    this.shared = Buffer.allocUnsafe(READ_SIZE + maxLine + 1);
  }

  /** Read `file` from its position to its current size, at most `budget` bytes this time. */
  async read(file: TailFile, budget: number): Promise<ReadOutcome> {
    let size = (await file.handle.stat()).size;
    if (size < file.readPos || (size > file.readPos && !(await this.printMatches(file)))) {
      size = await this.onTruncated(file, size);
    }
    file.size = size;
    let left = budget;
    while (file.readPos < file.size) {
      if (file.stopped) return 'stopped';
      if (this.isPaused()) return 'paused';
      const buf = this.shared;
      const carry = file.carry;
      const carryLen = carry === null ? 0 : carry.length;
      if (carry !== null) carry.copy(buf, 0);
      const want = Math.min(buf.length - carryLen, file.size - file.readPos);
      const { bytesRead } = await file.handle.read(buf, carryLen, want, file.readPos);
      if (bytesRead === 0) {
        file.size = file.readPos; // shrank under us: the next read sees the truncation
        break;
      }
      const base = file.readPos - carryLen;
      file.readPos += bytesRead;
      const len = carryLen + bytesRead;
      const keep = Math.min(PRINT_SIZE, len);
      if (file.print === null || file.print.length !== keep) file.print = Buffer.allocUnsafe(keep);
      buf.copy(file.print, 0, len - keep, len);

      const events: LogEvent[] = [];
      this.sink.begin(file, events, Date.now());
      const view = buf.subarray(0, len);
      const rest = this.splitter.split(file, view, base, this.sink);
      file.carry = rest >= 0 && rest < len ? Buffer.from(view.subarray(rest)) : null;
      const ok = this.emit(file, events, bytesRead);
      if (rest < 0) return 'stopped';
      if (!ok) return 'paused';
      left -= bytesRead;
      if (left <= 0) return file.readPos < file.size ? 'more' : 'eof';
    }
    return 'eof';
  }

  /** The end of the file as a last line (the file will not grow: exit_on_eof, closing). */
  finishCarry(file: TailFile, events: LogEvent[]): void {
    const carry = file.carry;
    if (carry === null) return;
    file.carry = null;
    this.sink.begin(file, events, Date.now());
    // A newline makes the splitter take the carry as one whole line, under the same policies.
    const buf = Buffer.allocUnsafe(carry.length + 1);
    carry.copy(buf, 0);
    buf[carry.length] = 10;
    this.splitter.split(file, buf, file.consumed, this.sink);
    file.consumed = file.readPos;
  }

  /** Whether the bytes before the read position are still those we read (no truncate+regrow). */
  private async printMatches(file: TailFile): Promise<boolean> {
    const print = file.print;
    if (print === null || file.readPos < print.length) return true;
    const { bytesRead } = await file.handle.read(this.probe, 0, print.length, file.readPos - print.length);
    return bytesRead === print.length && this.probe.compare(print, 0, print.length, 0, bytesRead) === 0;
  }
}
