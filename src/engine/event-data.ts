import { parseLogJson } from '../codec/log-json.js';
import { eventBuffers } from './buffer-pool.js';
import type { LogEvent } from './types.js';

/**
 * Whoever pays for buffered bytes: the input they came from (its `mem_buf_limit`). `charge` adds
 * (or, negative, gives back) bytes held in Wren's buffers.
 */
export interface MemoryOwner {
  charge(bytes: number): void;
  /** Bytes it may still buffer under its mem_buf_limit (Infinity without one). */
  room?(): number;
}

/** What one owner pays for some event data. */
export interface Charge {
  owner: MemoryOwner;
  bytes: number;
}

/** Index cost per event (a Uint32 start and a Float64 time), counted with the bytes. */
export const INDEX_BYTES = 12;

/**
 * Events as bytes: each event's time and its record's JSON (UTF-8), back to back in one buffer.
 * This is what buffers hold and what outputs read: records that only pass through are never
 * objects again; an output splices `json(i)` into its wire format, and decodes (`record(i)`)
 * only when it needs a field. Its bytes are paid for by the input(s) the events came from
 * (counted against their `mem_buf_limit`) until `release()`, which also gives the buffer back
 * to the pool: after that the events are gone (reading them gives nothing).
 */
export class EventData {
  private released = false;

  constructor(
    /** The records' JSON, back to back from offset 0 (the buffer may be longer). Valid until release. */
    public buf: Buffer,
    /** starts[i] is where event i's JSON begins; starts[count] is the end of the last one. */
    readonly starts: Uint32Array,
    /** Event times, epoch ms (fractions keep micro- and nanoseconds). */
    readonly times: Float64Array,
    /** Who pays for these bytes, and how much each (usually one input); already charged. */
    private readonly owners: readonly Charge[] = [],
    /** `buf` came from the event buffer pool: given back on release. */
    private readonly pooled = false,
  ) {}

  get count(): number {
    return this.times.length;
  }

  /** What these events cost in memory: their JSON and their index. */
  get bytes(): number {
    return this.starts[this.count]! + this.count * INDEX_BYTES;
  }

  /** Event i's record as JSON bytes (a view, not a copy). */
  json(i: number): Buffer {
    return this.buf.subarray(this.starts[i]!, this.starts[i + 1]!);
  }

  /** Event i's record as JSON text. */
  text(i: number): string {
    return this.buf.toString('utf8', this.starts[i]!, this.starts[i + 1]!);
  }

  /** Event i's record, decoded (a fresh object: change it freely). */
  record(i: number): Record<string, unknown> {
    return parseLogJson(this.text(i), Infinity) as Record<string, unknown>;
  }

  event(i: number): LogEvent {
    return { time: this.times[i]!, record: this.record(i) };
  }

  /** Every event decoded: for outputs (and tests) that need whole records. */
  toEvents(): LogEvent[] {
    const out = new Array<LogEvent>(this.count);
    for (let i = 0; i < out.length; i++) out[i] = this.event(i);
    return out;
  }

  /** Does `owner` pay for (some of) these events? */
  paidBy(owner: MemoryOwner): boolean {
    return this.owners.some((c) => c.owner === owner);
  }

  /** Done with these events: the owners get their bytes back, the pool its buffer. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const c of this.owners) c.owner.charge(-c.bytes);
    if (this.pooled) eventBuffers.give(this.buf);
    this.buf = GONE;
  }

  /**
   * The events at `positions` (ascending) as new data, paid by the same owners in proportion.
   * This data is left as it was (release it when done).
   */
  select(positions: readonly number[]): EventData {
    const n = positions.length;
    let size = 0;
    for (let k = 0; k < n; k++) size += this.starts[positions[k]! + 1]! - this.starts[positions[k]!]!;
    const pooled = size >= eventBuffers.minSize;
    const buf = pooled ? eventBuffers.take(size) : Buffer.allocUnsafe(size);
    const starts = new Uint32Array(n + 1);
    const times = new Float64Array(n);
    let at = 0;
    for (let k = 0; k < n; k++) {
      const p = positions[k]!;
      starts[k] = at;
      times[k] = this.times[p]!;
      at += this.buf.copy(buf, at, this.starts[p]!, this.starts[p + 1]!);
    }
    starts[n] = at;
    const owners = scaleCharges(this.owners, this.bytes, size + n * INDEX_BYTES);
    for (const c of owners) c.owner.charge(c.bytes);
    return new EventData(buf, starts, times, owners, pooled);
  }

  /** No events. */
  static readonly EMPTY = new EventData(Buffer.alloc(0), new Uint32Array(1), new Float64Array(0));
}

const GONE = Buffer.alloc(0);

/** Add `bytes` paid by `owner` to a list of charges (one entry per owner). */
export function addCharge(list: Charge[], owner: MemoryOwner, bytes: number): void {
  for (const c of list) {
    if (c.owner === owner) {
      c.bytes += bytes;
      return;
    }
  }
  list.push({ owner, bytes });
}

function scaleCharges(owners: readonly Charge[], from: number, to: number): Charge[] {
  if (owners.length === 1) return [{ owner: owners[0]!.owner, bytes: to }];
  return owners.map((c) => ({ owner: c.owner, bytes: Math.round((c.bytes * to) / Math.max(1, from)) }));
}
