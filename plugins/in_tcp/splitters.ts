/**
 * Message boundaries in a TCP byte stream: JSON values (objects or arrays, one per line or
 * spread over lines or run together) or text up to a separator. Bytes are scanned, never
 * decoded until a message is whole; UTF-8 never puts an ASCII byte inside a character, so
 * scanning bytes for braces, quotes and separators is exact.
 */

export interface SplitterSink {
  /** One complete message (its UTF-8 text). */
  message(text: string): void;
  /** Bytes skipped, and why. */
  skipped(reason: string, bytes: number): void;
}

export interface Splitter {
  push(d: Buffer): void;
  /** The client finished: emit or report what is held. */
  end(): void;
}

const EMPTY = Buffer.alloc(0);

export class JsonSplitter implements Splitter {
  private held: Buffer = EMPTY;
  /** Scan position within `held`, resumed on the next push. */
  private at = 0;
  private inValue = false;
  private depth = 0;
  private inStr = false;
  private esc = false;
  /** Discarding up to the next newline (after bytes that are not JSON, or a message over the limit). */
  private skipping = false;
  private skippedBytes = 0;

  constructor(private readonly max: number, private readonly sink: SplitterSink) {}

  push(d: Buffer): void {
    const b = this.held.length > 0 ? Buffer.concat([this.held, d]) : d;
    let start = 0;
    let i = this.at;
    const n = b.length;
    while (i < n) {
      if (this.skipping) {
        const nl = b.indexOf(10, i);
        const stop = nl < 0 ? n : nl + 1;
        this.skippedBytes += stop - i;
        i = start = stop;
        if (nl >= 0) this.skipping = false;
        continue;
      }
      const c = b[i]!;
      if (!this.inValue) {
        if (c === 32 || c === 10 || c === 13 || c === 9) {
          start = ++i;
          continue;
        }
        if (c === 123 || c === 91) {
          this.inValue = true;
          this.depth = 1;
          start = i++;
          continue;
        }
        this.skip('text that is not a JSON object');
        continue;
      }
      i++;
      if (this.inStr) {
        if (this.esc) this.esc = false;
        else if (c === 92) this.esc = true;
        else if (c === 34) this.inStr = false;
      } else if (c === 34) this.inStr = true;
      else if (c === 123 || c === 91) this.depth++;
      else if ((c === 125 || c === 93) && --this.depth === 0) {
        this.inValue = false;
        this.sink.message(b.toString('utf8', start, i));
        start = i;
        continue;
      }
      if (i - start > this.max) {
        this.inValue = this.inStr = this.esc = false;
        this.skip(`a message longer than buffer_size (${this.max} bytes)`);
        i = start;
      }
    }
    this.held = start < n ? b.subarray(start) : EMPTY;
    this.at = i - start;
    if (!this.skipping && this.skippedBytes > 0) this.reportSkipped();
  }

  private skipReason = '';

  private skip(reason: string): void {
    this.skipping = true;
    this.skipReason = reason;
    this.skippedBytes = 0;
  }

  private reportSkipped(): void {
    this.sink.skipped(this.skipReason, this.skippedBytes);
    this.skippedBytes = 0;
  }

  end(): void {
    const rest = this.held.length;
    if (this.skipping) {
      this.skippedBytes += rest;
      this.reportSkipped();
    } else if (this.inValue || rest > 0) {
      this.sink.skipped('the connection ended in the middle of a JSON message', rest);
    }
    this.held = EMPTY;
    this.at = 0;
  }
}

export class SeparatorSplitter implements Splitter {
  private held: Buffer = EMPTY;
  private skipping = false;
  private skippedBytes = 0;

  constructor(private readonly sep: Buffer, private readonly max: number, private readonly sink: SplitterSink) {}

  push(d: Buffer): void {
    const b = this.held.length > 0 ? Buffer.concat([this.held, d]) : d;
    // a separator may straddle the previous read: search from where it could begin
    let from = Math.max(0, this.held.length - this.sep.length + 1);
    let start = 0;
    for (;;) {
      const at = b.indexOf(this.sep, from);
      if (at < 0) break;
      if (this.skipping || at - start > this.max) {
        this.skippedBytes += at - start;
        this.sink.skipped(`a message longer than buffer_size (${this.max} bytes)`, this.skippedBytes);
        this.skipping = false;
        this.skippedBytes = 0;
      } else if (at > start) {
        this.sink.message(b.toString('utf8', start, at));
      }
      start = from = at + this.sep.length;
    }
    let rest = b.subarray(start);
    if (this.skipping || rest.length > this.max) {
      this.skipping = true;
      this.skippedBytes += Math.max(0, rest.length - (this.sep.length - 1));
      rest = rest.subarray(Math.max(0, rest.length - (this.sep.length - 1))); // keep what may begin a separator
    }
    this.held = rest.length > 0 ? rest : EMPTY;
  }

  end(): void {
    if (this.skipping) this.sink.skipped(`a message longer than buffer_size (${this.max} bytes)`, this.skippedBytes + this.held.length);
    else if (this.held.length > 0) this.sink.message(this.held.toString('utf8'));
    this.held = EMPTY;
    this.skipping = false;
  }
}
