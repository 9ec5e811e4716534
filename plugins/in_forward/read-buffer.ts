/** Smallest buffer a connection grows into once bytes must be kept between reads. */
const MIN_CAPACITY = 64 * 1024;
/** A buffer this large is released once empty (a big frame passed; most connections send small ones). */
const KEEP_CAPACITY = 1024 * 1024;

/**
 * The bytes a connection received and has not consumed, contiguous (frames are scanned and
 * decoded in place). A read that arrives when nothing is held is used as it is; bytes that must
 * wait for more are copied once into a buffer that doubles as needed, so a frame arriving in
 * many reads costs linear copying, not quadratic.
 */
export class ReadBuffer {
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  /** `buf` is ours (may be written into); otherwise it is a read we were handed. */
  private owned = false;

  /** The held bytes are bytes[0, length). Valid until the next append or consume. */
  get bytes(): Buffer {
    return this.buf;
  }

  get length(): number {
    return this.len;
  }

  append(d: Buffer): void {
    if (this.len === 0 && !this.owned) {
      this.buf = d;
      this.len = d.length;
      return;
    }
    const need = this.len + d.length;
    if (!this.owned || need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.owned ? this.buf.length * 2 : 0, MIN_CAPACITY));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
      this.owned = true;
    }
    d.copy(this.buf, this.len);
    this.len = need;
  }

  /** Drop the first `n` bytes. */
  consume(n: number): void {
    if (n <= 0) return;
    if (n >= this.len) {
      this.len = 0;
      if (!this.owned || this.buf.length > KEEP_CAPACITY) {
        this.buf = Buffer.alloc(0);
        this.owned = false;
      }
      return;
    }
    if (this.owned) this.buf.copyWithin(0, n, this.len);
    else this.buf = this.buf.subarray(n, this.len);
    this.len -= n;
  }
}
