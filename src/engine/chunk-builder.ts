import { eventBuffers } from './buffer-pool.js';
import { addCharge, EventData, INDEX_BYTES, type Charge, type MemoryOwner } from './event-data.js';

/** A batch's events encoded once at the end of the filters: valid until the next batch is encoded. */
export interface EncodedBatch {
  buf: Buffer;
  /** starts[i] is where event i's JSON begins; starts[count] = the end of the last one. */
  starts: Uint32Array;
  times: Float64Array;
  count: number;
}

/** The first buffer of an open chunk: small, so a tag with a trickle of records costs little. */
const FIRST_BYTES = 16 * 1024;

/**
 * An output's open chunk for one tag: batches are copied in as they come (one copy per output,
 * no copy at sealing), into a buffer that grows by doubling (pooled from 64 KiB on). Each
 * batch's bytes are charged to the input it came from at once; `seal()` hands the bytes over as
 * EventData, still charged, until the chunk is released.
 */
export class ChunkBuilder {
  private buf: Buffer;
  private pooled: boolean;
  private pos = 0;
  private starts: Uint32Array;
  private times: Float64Array;
  private n = 0;
  private readonly owners: Charge[] = [];

  constructor(firstBytes: number, firstCount: number) {
    const size = Math.max(FIRST_BYTES, firstBytes);
    this.pooled = size >= eventBuffers.minSize;
    this.buf = this.pooled ? eventBuffers.take(size) : Buffer.allocUnsafe(size);
    this.starts = new Uint32Array(Math.max(64, firstCount) + 1);
    this.times = new Float64Array(Math.max(64, firstCount));
  }

  get count(): number {
    return this.n;
  }

  /** Bytes held (JSON and index), as charged. */
  get bytes(): number {
    return this.pos + this.n * INDEX_BYTES;
  }

  /** Copy a batch in, charging its bytes to `owner`. */
  append(b: EncodedBatch, owner: MemoryOwner | null): void {
    const size = b.starts[b.count]!;
    this.room(size, b.count);
    const at = this.pos;
    b.buf.copy(this.buf, at, 0, size);
    for (let i = 0; i < b.count; i++) this.starts[this.n + i] = b.starts[i]! + at;
    this.times.set(b.times.subarray(0, b.count), this.n);
    this.pos += size;
    this.n += b.count;
    this.starts[this.n] = this.pos;
    if (owner !== null) {
      const bytes = size + b.count * INDEX_BYTES;
      owner.charge(bytes);
      addCharge(this.owners, owner, bytes);
    }
  }

  /** The chunk's events: the builder must not be used afterwards. */
  seal(): EventData {
    const n = this.n;
    return new EventData(this.buf, this.starts.subarray(0, n + 1), this.times.subarray(0, n), this.owners, this.pooled);
  }

  private room(bytes: number, count: number): void {
    if (this.pos + bytes > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + bytes) size *= 2;
      const pooled = size >= eventBuffers.minSize;
      const next = pooled ? eventBuffers.take(size) : Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.pos);
      if (this.pooled) eventBuffers.give(this.buf);
      this.buf = next;
      this.pooled = pooled;
    }
    if (this.n + count > this.times.length) {
      let cap = this.times.length * 2;
      while (cap < this.n + count) cap *= 2;
      const t = new Float64Array(cap);
      t.set(this.times.subarray(0, this.n));
      this.times = t;
      const s = new Uint32Array(cap + 1);
      s.set(this.starts.subarray(0, this.n + 1));
      this.starts = s;
    }
  }
}
