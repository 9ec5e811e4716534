/**
 * A growable byte buffer that NDJSON is written into piece by piece, and a small pool of them.
 *
 * Why: a fresh multi-megabyte buffer per chunk (or one giant string turned into bytes) costs a
 * page fault per 4 KiB on every chunk, which on the VMs Wren runs on made encoding several
 * times slower than JSON.stringify itself. Buffers are taken from the pool for a flush and
 * given back when it is over, so the same pages are written again and again.
 */
export class ByteWriter {
  pos = 0;

  constructor(public buf: Buffer) {}

  /** A fresh writer sized for about `records` records (it grows past that when needed). */
  static forRecords(records: number): ByteWriter {
    return ByteWriter.forBytes(256 + records * 256);
  }

  /** A fresh writer of about `n` bytes (it grows past that when needed). */
  static forBytes(n: number): ByteWriter {
    return new ByteWriter(Buffer.allocUnsafe(Math.max(64, Math.min(64 * 1024 * 1024, n))));
  }

  /** Room for `n` more bytes (grows by doubling, copying what was written). */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Bytes already made (action lines, cached keys): copied as they are. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    if (n > 64) {
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    // short pieces (action lines, keys): a loop beats TypedArray#set's call overhead
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** bytes [start, end) of `b`, without making a view of them (a copy for long runs). */
  bytesOf(b: Buffer, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    if (n > 64) {
      this.pos += b.copy(this.buf, this.pos, start, end);
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** A string of ASCII characters only (digits, a number's text). */
  ascii(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** A string as UTF-8; returns the number of bytes written. */
  text(s: string): number {
    this.ensure(s.length * 3);
    const n = this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    return n;
  }
}

/** Buffers larger than this are not kept for reuse (a rare huge chunk should not stay resident). */
const MAX_POOLED = 64 * 1024 * 1024;

export class WriterPool {
  private readonly free: Buffer[] = [];

  /**
   * @param addedPerRecord what an encoding is first taken to add to each record of a chunk (an
   *   action line, a time key, a newline): `forRecords` then goes by what the last chunk added.
   */
  constructor(private readonly keep = 2, private readonly initial = 1024 * 1024, private addedPerRecord = 64) {}

  /**
   * A writer for a chunk's `count` records of `recordBytes` bytes, with room for what the
   * encoding added to each record of the last chunk (see `learn`): sized right the first time.
   */
  forRecords(recordBytes: number, count: number): ByteWriter {
    return this.take(recordBytes + count * this.addedPerRecord + 4096);
  }

  /** `w` now holds the encoding of `count` records of `recordBytes` bytes: what it added per record, with a little margin, sizes the next. */
  learn(w: ByteWriter, recordBytes: number, count: number): void {
    if (count > 0) this.addedPerRecord = Math.ceil(Math.max(0, w.pos - recordBytes) / count) + 8;
  }

  /**
   * A writer with room for about `bytes` (a free buffer that large, else a new one of that size
   * rounded up to 64 KiB), so that a chunk's encoding does not grow by doubling into a buffer
   * nearly twice its size (a 2 MiB chunk's NDJSON in a 4 MiB buffer).
   */
  take(bytes = 0): ByteWriter {
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i]!.length >= bytes) return new ByteWriter(this.free.splice(i, 1)[0]!);
    }
    return new ByteWriter(Buffer.allocUnsafe(Math.max(this.initial, Math.ceil(bytes / 65536) * 65536)));
  }

  give(w: ByteWriter): void {
    if (w.buf.length > MAX_POOLED) return;
    if (this.free.length < this.keep) {
      this.free.push(w.buf);
      return;
    }
    // full: keep the larger buffers (a smaller one would be passed over for the next chunk)
    let min = 0;
    for (let i = 1; i < this.free.length; i++) if (this.free[i]!.length < this.free[min]!.length) min = i;
    if (this.free[min]!.length < w.buf.length) this.free[min] = w.buf;
  }
}
