/**
 * Reusable buffers for event data. A buffer of event data lives from the end of the filters
 * until its output delivers it, and that end is known exactly (EventData.release), so it is
 * given back here rather than left to the garbage collector: an ArrayBuffer is freed only when
 * the object wrapping it is collected, and wrappers that lived through a flush wait in the old
 * generation for the next full collection (megabytes of them at full speed), while the C heap
 * they came from keeps the high-water mark of every size ever in use.
 *
 * Sizes are powers of two from 64 KiB (smaller ones are left to Node's allocator and the young
 * generation); at most `maxFree` bytes are kept free, oldest let go first, and buffers unused for
 * a while are dropped (`trim`) so an idle agent does not keep its busiest minute's memory.
 */
export class BufferPool {
  /** Free buffers by size class (log2 of their size), each with when it was given back. */
  private readonly free = new Map<number, { buf: Buffer; at: number }[]>();
  private freeBytes = 0;

  constructor(
    private readonly maxFree = 4 * 1024 * 1024,
    readonly minSize = 64 * 1024,
  ) {}

  /**
   * A buffer of at least `n` bytes (a power of two; its contents are whatever was there): a free
   * one of its size, else a free one up to LARGER times larger (a chunk that would have grown
   * into it later anyway: a tag's chunks start at the size of its last one, which a flush may
   * have sealed early), else a new one.
   */
  take(n: number): Buffer {
    const cls = classOf(Math.max(n, this.minSize));
    for (let c = cls; c <= cls + LARGER_CLASSES; c++) {
      const hit = this.free.get(c)?.pop();
      if (hit !== undefined) {
        this.freeBytes -= hit.buf.length;
        return hit.buf;
      }
    }
    return Buffer.allocUnsafeSlow(2 ** cls);
  }

  /** Give back a buffer from `take`; nothing may use it afterwards. */
  give(buf: Buffer, now = Date.now()): void {
    const cls = classOf(buf.length);
    if (buf.length !== 2 ** cls || buf.length < this.minSize || buf.length > this.maxFree) return;
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push({ buf, at: now });
    this.freeBytes += buf.length;
    if (this.freeBytes > this.maxFree) this.evict(() => true);
  }

  /** Let go of buffers free for longer than `idleMs`. */
  trim(idleMs: number, now = Date.now()): void {
    if (this.freeBytes > 0) this.evict((at) => now - at > idleMs, true);
  }

  /** Bytes kept free. */
  get held(): number {
    return this.freeBytes;
  }

  /** Drop the oldest free buffers that `old(at)` accepts, until under the bound (or all, with `all`). */
  private evict(old: (at: number) => boolean, all = false): void {
    for (;;) {
      if (!all && this.freeBytes <= this.maxFree) return;
      let oldest: { list: { buf: Buffer; at: number }[]; at: number } | undefined;
      for (const list of this.free.values()) {
        if (list.length > 0 && (oldest === undefined || list[0]!.at < oldest.at)) oldest = { list, at: list[0]!.at };
      }
      if (oldest === undefined || !old(oldest.at)) return;
      this.freeBytes -= oldest.list.shift()!.buf.length;
    }
  }
}

/** How many size classes up `take` may go (4x). */
const LARGER_CLASSES = 2;

function classOf(n: number): number {
  return Math.ceil(Math.log2(n));
}

/** The pool event data is made from (one per process: buffers pass from inputs to outputs). */
export const eventBuffers = new BufferPool();
