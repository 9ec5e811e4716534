import { randomBytes } from 'node:crypto';
import { ByteWriter, WriterPool } from '../../codec/byte-writer.js';
import type { EventData } from '../../engine/event-data.js';
import { getPath } from '../../record/accessor.js';
import { compressRecord, TRUNCATED_SUFFIX } from './compress.js';
import type { PutRecordsConfig } from './config.js';
import { KPL_MAX_AGGREGATED_RECORD, KplAggregate } from './kpl.js';
import { MAX_PARTITION_KEY } from './service.js';
import { RecordShaper } from './shape.js';

/**
 * A chunk made into service records ("units"): each unit is one record of a PutRecordBatch /
 * PutRecords call and carries one chunk record, or several (simple_aggregation: newline-joined;
 * aggregation: a KPL aggregate). Units keep the chunk's order; unit u carries the encoded records
 * [from[u], to[u]), whose chunk positions are in `positions`. Parallel arrays sized for the chunk
 * (typed where they hold numbers), no object per record and no growing as units are added;
 * a class, so every flush's units have one shape (an object literal spread per flush made the
 * optimized batch and body code deoptimize and recompile as the shape's field types widened).
 */
export class Units {
  count = 0;
  /** Unit u's data is bufs[u][starts[u], ends[u]), then the byte tails[u] if it is not -1. */
  readonly bufs: Buffer[];
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly tails: Int16Array;
  /** Partition keys (Kinesis). */
  readonly keys: string[];
  readonly from: Int32Array;
  readonly to: Int32Array;
  /** Chunk position of each encoded record (`records` of them). */
  readonly positions: Int32Array;
  records = 0;
  tally: EncodeTally = { missingKey: 0, empty: 0, unencodable: 0, tooLarge: 0, truncated: 0, largest: 0 };
  private giveBack: (() => void) | undefined;

  /** Room for `capacity` units and records (a chunk's record count: there are never more). */
  constructor(readonly capacity: number) {
    this.bufs = new Array<Buffer>(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.tails = new Int16Array(capacity);
    this.keys = new Array<string>(capacity);
    this.from = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    this.positions = new Int32Array(capacity);
  }

  /** Record `i` of the chunk is the next encoded record. */
  record(i: number): void {
    this.positions[this.records++] = i;
  }

  push(buf: Buffer, start: number, end: number, key: string, from: number, to: number, tail = -1): void {
    const u = this.count++;
    this.bufs[u] = buf;
    this.starts[u] = start;
    this.ends[u] = end;
    this.tails[u] = tail;
    this.keys[u] = key;
    this.from[u] = from;
    this.to[u] = to;
  }

  /** Set what is given back once the flush is over (the pooled buffer the units point into). */
  onRelease(f: () => void): void {
    this.giveBack = f;
  }

  /** Unit u's length in bytes. */
  size(u: number): number {
    return this.ends[u]! - this.starts[u]! + (this.tails[u]! < 0 ? 0 : 1);
  }

  /** Give the pooled buffer back (after the flush: the request bodies are copies). */
  release(): void {
    const f = this.giveBack;
    this.giveBack = undefined;
    f?.();
  }

  /** Empty again, for another chunk, holding on to no buffer of the last one. */
  reset(): void {
    this.bufs.fill(undefined as unknown as Buffer, 0, this.count);
    this.keys.fill('', 0, this.count);
    this.count = 0;
    this.records = 0;
    this.tally = { missingKey: 0, empty: 0, unencodable: 0, tooLarge: 0, truncated: 0, largest: 0 };
  }
}

/** Records not sent (counted, logged) and records cut to fit. */
export interface EncodeTally {
  missingKey: number;
  empty: number;
  unencodable: number;
  tooLarge: number;
  truncated: number;
  /** Largest record seen over the limit (bytes), for the log line. */
  largest: number;
}

const CHARSET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const RANDOM_KEY_LENGTH = 8;

/** Random partition keys, 8 letters and digits each (as the Go plugin), drawn in bulk. */
class RandomKeys {
  private pool = Buffer.alloc(0);
  private at = 0;

  next(): string {
    if (this.at + RANDOM_KEY_LENGTH > this.pool.length) {
      this.pool = randomBytes(4096);
      this.at = 0;
    }
    let s = '';
    for (let i = 0; i < RANDOM_KEY_LENGTH; i++) s += CHARSET[this.pool[this.at++]! % CHARSET.length];
    return s;
  }
}

export class UnitEncoder {
  private readonly shaper: RecordShaper;
  /** Record buffers, sized from what shaping added per record in the last chunk (newline, time_key). */
  private readonly pool = new WriterPool(2, 1024 * 1024, 16);
  private readonly random = new RandomKeys();
  /** The last flush's units, emptied, for the next one (their arrays are sized for a chunk). */
  private spare: Units | undefined;

  /** Records go as they are in the chunk (no option reshapes them, one record a unit): no copy. */
  private readonly passThrough: boolean;

  constructor(private readonly cfg: PutRecordsConfig) {
    this.shaper = new RecordShaper(cfg.shape);
    this.passThrough = this.shaper.passesThrough && cfg.compression === undefined && !cfg.kplAggregation && !cfg.simpleAggregation;
  }

  /** The partition key of event i (configured field, cut to 256 characters), or a random one. */
  private keyOf(data: EventData, i: number): string {
    const path = this.cfg.partitionKey;
    if (path === undefined) return this.random.next();
    let v: unknown;
    try {
      v = getPath(data.record(i), path);
    } catch {
      v = undefined;
    }
    if (typeof v !== 'string' || v.length === 0) return this.random.next();
    return v.length > MAX_PARTITION_KEY ? v.slice(0, MAX_PARTITION_KEY) : v;
  }

  /** Units for a chunk of `n` records: the spare if it is large enough. */
  private units(n: number): Units {
    const spare = this.spare;
    this.spare = undefined;
    return spare !== undefined && spare.capacity >= n ? spare : new Units(n);
  }

  /** A flush is over with `units`: keep them for the next. */
  private keep(units: Units): void {
    units.reset();
    this.spare = units;
  }

  encode(data: EventData): Units {
    if (this.passThrough) return this.encodeInPlace(data);
    const cfg = this.cfg;
    const svc = cfg.service;
    const n = data.count;
    const recordBytes = data.starts[n]! - data.starts[0]!;
    const w = this.pool.forRecords(recordBytes, n);
    const units = this.units(n);
    const tally = units.tally;
    const recStarts: number[] = [];
    const recKeys: string[] = [];
    const keyed = svc.partitionKeys;
    const needKey = keyed && (cfg.partitionKey !== undefined || !cfg.kplAggregation);
    for (let i = 0; i < n; i++) {
      const start = w.pos;
      const r = this.shaper.write(w, data, i);
      if (r !== 'ok') {
        if (r === 'missing') tally.missingKey++;
        else if (r === 'empty') tally.empty++;
        else tally.unencodable++;
        continue;
      }
      const key = needKey ? this.keyOf(data, i) : '';
      const max = svc.maxRecordBytes - (keyed ? Buffer.byteLength(key || 'x'.repeat(RANDOM_KEY_LENGTH)) : 0);
      if (!this.fit(w, start, max, tally)) {
        w.pos = start;
        continue;
      }
      recStarts.push(start);
      recKeys.push(key);
      units.record(i);
    }
    recStarts.push(w.pos);
    this.pool.learn(w, recordBytes, n);
    if (cfg.kplAggregation) this.kpl(units, w.buf, recStarts, recKeys);
    else this.plain(units, w.buf, recStarts, recKeys);
    units.onRelease(() => {
      this.pool.give(w);
      this.keep(units);
    });
    return units;
  }

  /**
   * Units that point at the chunk's own record bytes (the newline, when there is one, is added as
   * the body is written): the usual case, with no copy of the records. A record over the limit is
   * dropped (Fluent Bit) or cut into a buffer of its own (Go plugins).
   */
  private encodeInPlace(data: EventData): Units {
    const cfg = this.cfg;
    const svc = cfg.service;
    const n = data.count;
    const buf = data.buf;
    const st = data.starts;
    const units = this.units(n);
    const tally = units.tally;
    const keyed = svc.partitionKeys;
    const tail = cfg.shape.newline ? 0x0a : -1;
    const extra = tail < 0 ? 0 : 1;
    for (let i = 0; i < n; i++) {
      const s = st[i]!;
      const e = st[i + 1]!;
      if (e - s <= 2) {
        tally.empty++;
        continue;
      }
      const key = keyed ? this.keyOf(data, i) : '';
      const max = svc.maxRecordBytes - (keyed ? Buffer.byteLength(key) : 0);
      const len = e - s + extra;
      const u = units.count;
      if (len <= max) {
        units.push(buf, s, e, key, u, u + 1, tail);
      } else {
        if (!this.cuts(len, tally)) continue;
        const cut = Buffer.allocUnsafe(max);
        buf.copy(cut, 0, s, s + max - TRUNCATED_SUFFIX.length);
        TRUNCATED_SUFFIX.copy(cut, max - TRUNCATED_SUFFIX.length);
        units.push(cut, 0, max, key, u, u + 1);
      }
      units.record(i);
    }
    units.onRelease(() => this.keep(units));
    return units;
  }

  /** Compress, then check the record against its limit: cut it (Go plugins) or drop it (Fluent Bit). */
  private fit(w: ByteWriter, start: number, max: number, tally: EncodeTally): boolean {
    const cfg = this.cfg;
    const len = w.pos - start;
    if (cfg.compression !== undefined) {
      const c = compressRecord(cfg.compression, Buffer.from(w.buf.subarray(start, w.pos)), max);
      if (c === undefined) {
        tally.tooLarge++;
        tally.largest = Math.max(tally.largest, len);
        return false;
      }
      if (c.truncated) tally.truncated++;
      w.pos = start;
      w.bytes(c.data);
      return true;
    }
    if (len <= max) return true;
    if (!this.cuts(len, tally)) return false;
    w.pos = start + max - TRUNCATED_SUFFIX.length;
    w.bytes(TRUNCATED_SUFFIX);
    return true;
  }

  /**
   * A record of `len` bytes is over its limit: counted; true when it is to be cut to the limit,
   * ending with [Truncated...] (Go plugins), false when it is dropped (Fluent Bit).
   */
  private cuts(len: number, tally: EncodeTally): boolean {
    tally.largest = Math.max(tally.largest, len);
    if (this.cfg.flavor === 'core') {
      tally.tooLarge++;
      return false;
    }
    tally.truncated++;
    return true;
  }

  /** One unit per record, or (simple_aggregation) runs of records joined up to the record limit. */
  private plain(u: Units, buf: Buffer, recStarts: number[], recKeys: string[]): void {
    const cfg = this.cfg;
    const m = recStarts.length - 1;
    const keyed = cfg.service.partitionKeys;
    for (let k = 0; k < m; k++) {
      let to = k + 1;
      if (cfg.simpleAggregation) {
        const key = recKeys[k]!;
        const max = cfg.service.maxRecordBytes - (keyed ? Buffer.byteLength(key) : 0);
        // a configured partition key keeps its records together; random keys: the first one's
        while (to < m && recStarts[to + 1]! - recStarts[k]! <= max && (cfg.partitionKey === undefined || recKeys[to] === key)) to++;
      }
      u.push(buf, recStarts[k]!, recStarts[to]!, recKeys[k]!, k, to);
      k = to - 1;
    }
  }

  /** KPL aggregates of consecutive records; a record of 20 KiB or more goes alone. */
  private kpl(u: Units, buf: Buffer, recStarts: number[], recKeys: string[]): void {
    const cfg = this.cfg;
    const m = recStarts.length - 1;
    const max = cfg.service.maxRecordBytes - MAX_PARTITION_KEY;
    let agg: KplAggregate | undefined;
    let aggFrom = 0;
    let aggKey = '';
    const close = (k: number) => {
      if (agg === undefined) return;
      const b = agg.encode();
      u.push(b, 0, b.length, agg.partitionKey, aggFrom, k);
      agg = undefined;
    };
    for (let k = 0; k < m; k++) {
      const s = recStarts[k]!;
      const e = recStarts[k + 1]!;
      if (e - s >= KPL_MAX_AGGREGATED_RECORD) {
        close(k);
        u.push(buf, s, e, recKeys[k] || this.random.next(), k, k + 1);
        continue;
      }
      if (agg === undefined) {
        agg = new KplAggregate();
        aggFrom = k;
        aggKey = recKeys[k] || this.random.next();
      }
      const key = cfg.partitionKey === undefined ? aggKey : recKeys[k]!;
      if (agg.count > 0 && agg.sizeWith(key, e - s) > max) {
        close(k);
        agg = new KplAggregate();
        aggFrom = k;
        aggKey = recKeys[k] || this.random.next();
      }
      agg.add(cfg.partitionKey === undefined ? aggKey : recKeys[k]!, buf, s, e);
    }
    close(m);
  }
}
