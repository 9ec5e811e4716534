import type { LogEvent } from './types.js';

/**
 * Whoever pays for buffered bytes: the input they came from (its `mem_buf_limit`). `charge` adds
 * (or, negative, gives back) bytes held in Wren's buffers.
 */
export interface MemoryOwner {
  charge(bytes: number): void;
}

/** Index cost per event (a Uint32 start and a Float64 time), counted with the bytes. */
const INDEX_BYTES = 12;

/**
 * Events as bytes: each event's time and its record's JSON (UTF-8), back to back in one buffer.
 * This is what buffers hold and what outputs read: records that only pass through are never
 * objects again; an output splices `json(i)` into its wire format, and decodes (`record(i)`)
 * only when it needs a field. `bytes` is what it costs, and what it counts against the
 * `mem_buf_limit` of the input(s) it came from, for as long as a buffer holds it (`ref` /
 * `unref`: shared by every output a batch was routed to, paid for once).
 */
export class EventData {
  private refs = 0;
  private paid = false;

  constructor(
    /** The records' JSON, back to back (may be a view of a larger buffer). */
    readonly buf: Buffer,
    /** starts[i] is where event i's JSON begins; starts[count] is the end of the last one. */
    readonly starts: Uint32Array,
    /** Event times, epoch ms (fractions keep micro- and nanoseconds). */
    readonly times: Float64Array,
    /** Who pays for these bytes while they are held, and how much each (usually one input). */
    private readonly owners: readonly Charge[] = [],
  ) {}

  get count(): number {
    return this.times.length;
  }

  /** What these events cost in memory: their JSON and their index. */
  get bytes(): number {
    return (this.starts[this.count]! - this.starts[0]!) + this.count * INDEX_BYTES;
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
    return JSON.parse(this.text(i)) as Record<string, unknown>;
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

  /** A buffer holds these events from now on (the first holder makes the owners pay). */
  ref(): void {
    if (this.refs++ === 0 && !this.paid) {
      this.paid = true;
      for (const c of this.owners) c.owner.charge(c.bytes);
    }
  }

  /** A buffer is done with them (the last one gives the bytes back). */
  unref(): void {
    if (--this.refs > 0 || !this.paid) return;
    this.paid = false;
    for (const c of this.owners) c.owner.charge(-c.bytes);
  }

  /** The events at `positions` (ascending), as new data paid by the same owners in proportion. */
  select(positions: readonly number[]): EventData {
    const n = positions.length;
    let size = 0;
    for (let k = 0; k < n; k++) size += this.starts[positions[k]! + 1]! - this.starts[positions[k]!]!;
    const buf = Buffer.allocUnsafe(size);
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
    return new EventData(buf, starts, times, scaleCharges(this.owners, this.bytes, size + n * INDEX_BYTES));
  }

  /** Several event data back to back, in one buffer (their owners keep paying for their part). */
  static concat(parts: readonly EventData[]): EventData {
    if (parts.length === 1) return parts[0]!;
    let size = 0;
    let count = 0;
    for (const p of parts) {
      size += p.starts[p.count]! - p.starts[0]!;
      count += p.count;
    }
    const buf = Buffer.allocUnsafe(size);
    const starts = new Uint32Array(count + 1);
    const times = new Float64Array(count);
    const owners: Charge[] = [];
    let at = 0;
    let k = 0;
    for (const p of parts) {
      const base = p.starts[0]!;
      const shift = at - base;
      for (let i = 0; i < p.count; i++) starts[k + i] = p.starts[i]! + shift;
      times.set(p.times, k);
      at += p.buf.copy(buf, at, base, p.starts[p.count]!);
      k += p.count;
      for (const c of p.owners) addCharge(owners, c.owner, c.bytes);
    }
    starts[count] = at;
    return new EventData(buf, starts, times, owners);
  }

  /** No events. */
  static readonly EMPTY = new EventData(Buffer.alloc(0), new Uint32Array(1), new Float64Array(0));
}

interface Charge {
  owner: MemoryOwner;
  bytes: number;
}

function addCharge(list: Charge[], owner: MemoryOwner, bytes: number): void {
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
