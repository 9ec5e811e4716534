import type { LongLinePolicy } from './config.js';
import type { TailFile } from './tail-file.js';

/** Receives whole lines: buf[start, end), without newline or CR, starting at file offset `offset`. */
export interface LineSink {
  line(buf: Buffer, start: number, end: number, offset: number): void;
}

/** What happened to an over-long line, for counting and logging. */
export interface LongLineReport {
  file: TailFile;
  policy: LongLinePolicy;
  offset: number;
  /** Bytes kept (truncate) — 0 for skip/stop. */
  kept: number;
  /** Bytes dropped; for stop, the bytes seen so far. */
  dropped: number;
}

/**
 * Cuts read buffers into lines: finds newlines with Buffer.indexOf, strips CR, skips the NUL
 * padding a copytruncate can leave, applies the long-line policy (buffer_max_size with
 * skip_long_lines / truncate_long_lines, else the file is stopped) and `skip_empty_lines`.
 */
export class LineSplitter {
  constructor(
    private readonly maxLine: number,
    private readonly policy: LongLinePolicy,
    private readonly skipEmpty: boolean,
    private readonly onLongLine: (r: LongLineReport) => void,
  ) {}

  /**
   * Split buf (all of it: pass a view of the valid bytes), whose first byte is at file offset
   * `base`. Sets file.consumed past the last whole line. Returns the index where the
   * incomplete last line starts (buf.length when none is kept), or -1 when the file must stop.
   */
  split(file: TailFile, buf: Buffer, base: number, sink: LineSink): number {
    const len = buf.length;
    let pos = 0;
    if (file.longLine !== null) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        file.longLine.dropped += len;
        return len;
      }
      file.longLine.dropped += nl;
      this.endLongLine(file);
      pos = nl + 1;
      file.consumed = base + pos;
    }
    const max = this.maxLine;
    const skipEmpty = this.skipEmpty;
    while (pos < len) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      let start = pos;
      let end = nl;
      pos = nl + 1;
      if (end - start > max) {
        if (!this.longLine(file, buf, start, end, base + start, true, sink)) return -1;
        continue;
      }
      if (buf[start] === 0) while (start < end && buf[start] === 0) start++;
      if (end > start && buf[end - 1] === 13) end--;
      if (end === start && skipEmpty) continue;
      sink.line(buf, start, end, base + start);
    }
    file.consumed = base + pos;
    if (len - pos > max) {
      if (!this.longLine(file, buf, pos, len, base + pos, false, sink)) return -1;
      return len;
    }
    return pos;
  }

  /** Apply the policy to an over-long line buf[start, end); false when the file must stop. */
  private longLine(file: TailFile, buf: Buffer, start: number, end: number, offset: number, complete: boolean, sink: LineSink): boolean {
    if (this.policy === 'stop') {
      file.stopped = true;
      file.consumed = offset;
      this.onLongLine({ file, policy: 'stop', offset, kept: 0, dropped: end - start });
      return false;
    }
    let kept = 0;
    if (this.policy === 'truncate') {
      const cut = utf8Boundary(buf, start, start + this.maxLine);
      sink.line(buf, start, cut, offset);
      kept = cut - start;
    }
    file.longLine = { offset, kept, dropped: end - start - kept };
    if (complete) this.endLongLine(file);
    return true;
  }

  private endLongLine(file: TailFile): void {
    const l = file.longLine!;
    file.longLine = null;
    this.onLongLine({ file, policy: this.policy, offset: l.offset, kept: l.kept, dropped: l.dropped });
  }
}

/** Move `cut` back so it does not split a UTF-8 sequence (never before `start`). */
export function utf8Boundary(buf: Buffer, start: number, cut: number): number {
  let c = cut;
  // Continuation bytes are 10xxxxxx; a cut before one of them splits a character.
  while (c > start && c > cut - 4 && (buf[c]! & 0xc0) === 0x80) c--;
  return c;
}
