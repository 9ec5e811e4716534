import { createHash } from 'node:crypto';
import type { EventData } from '../../src/engine/event-data.js';
import { getPath } from '../../src/record/accessor.js';
import { ByteWriter, WriterPool } from '../../src/codec/byte-writer.js';
import type { EncodeOptions } from './config.js';
import { dotless, hasDots } from './replace-dots.js';
import { RawNumber, toJson } from '../../src/codec/raw-number.js';

/**
 * Bulk NDJSON: for each event an action line (`{"create":{"_index":"logs"}}`) and the document.
 * Written piece by piece into one pooled buffer per chunk; the byte offsets of each event let
 * batch.ts cut requests (and 413 halves) as slices of the same buffer, never re-encoding.
 *
 * Records arrive as JSON bytes (EventData), so per-event work is copying them: the document is
 * the record's bytes with the time key spliced in front (its opening brace overwritten), never
 * a decoded object, unless an option needs a field (id_key, logstash_prefix_key, a record
 * accessor in the index, replace_dots on a record with dots, a record that may carry its own
 * time key). The time key (`"@timestamp":"…`) is formatted once per second of record time and
 * copied as bytes, the milliseconds from a table; action lines are made once per index (per
 * second with logstash_format) and copied as bytes.
 */
export interface EncodedBulk {
  /** The NDJSON of every encoded event, in order. */
  body: Buffer;
  /** positions[k] is encoded event k's position in the chunk's EventData. */
  positions: number[];
  /** times[k] is encoded event k's time (epoch ms). */
  times: number[];
  /** starts[k] is the byte offset of encoded event k's action line; starts[count] = body.length. */
  starts: Uint32Array;
  /** Index of each encoded event (for dead-letter entries). */
  indices: string[];
  /** Events that could not be encoded, with why (never sent: dead-lettered and counted). */
  rejected: RejectedEvent[];
  /** Give the body's buffer back for the next chunk; `body` must not be used afterwards. */
  release(): void;
}

export interface RejectedEvent {
  /** Position in the chunk's EventData. */
  pos: number;
  index: string;
  reason: string;
}

const COMMA = 0x2c;
const OPEN = 0x7b;

/** '.000Z"' … '.999Z"': the millisecond tail of the time key, 6 bytes each. */
const MS_TAIL = Buffer.from(Array.from({ length: 1000 }, (_, i) => `.${String(i).padStart(3, '0')}Z"`).join(''), 'latin1');

function uuidOf(doc: Uint8Array): string {
  const h = createHash('md5').update(doc).digest('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function idText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v instanceof RawNumber) return v.text;
  return undefined;
}

export class BulkEncoder {
  private readonly timeKeyJson: string;
  private readonly actionHead: string;
  private readonly typePart: string;
  private readonly docHead: Buffer;
  private readonly docTail: Buffer;
  /** NDJSON buffers, sized from what the last chunk's encoding added per record (action line, time key, newline). */
  private readonly pool = new WriterPool(2, 1024 * 1024, 128);
  /** generate_id: the document is written here first, hashed, then copied after its action line. */
  private readonly scratch = new ByteWriter(Buffer.allocUnsafe(64 * 1024));

  constructor(private readonly o: EncodeOptions) {
    this.timeKeyJson = JSON.stringify(o.timeKey);
    this.timeKeyProbe = Buffer.from(this.timeKeyJson + ':');
    const action = o.writeOperation === 'upsert' ? 'update' : o.writeOperation;
    this.actionHead = `{"${action}":{"_index":`;
    this.typePart = o.type === undefined ? '' : `,"_type":${JSON.stringify(o.type)}`;
    const head = o.writeOperation === 'update' ? '{"doc":' : o.writeOperation === 'upsert' ? '{"doc_as_upsert":true,"doc":' : '';
    this.docHead = Buffer.from(head);
    this.docTail = Buffer.from(head === '' ? '}\n' : '}}\n');
  }

  private action(index: string, id: string | undefined): string {
    return this.actionHead + JSON.stringify(index) + this.typePart + (id === undefined ? '' : ',"_id":' + JSON.stringify(id)) + '}}\n';
  }

  /** Encode a chunk's events. `now` (epoch ms) names indices with current_time_index or `%` in index. */
  encode(data: EventData, tag: string, now: number): EncodedBulk {
    const o = this.o;
    const n = data.count;
    const starts = new Uint32Array(n + 1);
    const positions: number[] = [];
    const times: number[] = [];
    const indices: string[] = [];
    const rejected: RejectedEvent[] = [];
    const tagPart = o.tagKey === undefined ? undefined : Buffer.from(JSON.stringify(o.tagKey) + ':' + JSON.stringify(tag));
    const fixedIndex = o.indexStrftime ? o.indexStrftime(now) : o.index;
    const needsId = o.writeOperation === 'update' || o.writeOperation === 'upsert';
    const idKey = o.idKey;
    const generateId = idKey === undefined && o.generateId;
    const ls = o.logstash;
    const needsRecord = idKey !== undefined || (ls !== undefined && ls.prefixKey !== undefined) || (ls === undefined && o.indexTemplate !== undefined);
    const recordBytes = data.starts[n]! - data.starts[0]!;
    const w = this.pool.forRecords(recordBytes, n);
    this.lastSec = Number.NaN;
    let lastIndexSec = Number.NaN;
    let datedIndex = '';
    let lastIndex = '';
    let lastAction: Buffer | undefined;
    for (let i = 0; i < n; i++) {
      const t0 = data.times[i]!;
      const t = Number.isFinite(t0) ? t0 : now;
      // --- the record's own JSON, as bytes, or (when an option needs a field) decoded
      let rec: Record<string, unknown> | undefined;
      let doc: Doc;
      try {
        if (needsRecord) rec = data.record(i);
        doc = this.docOf(data, i, rec);
      } catch (err) {
        rejected.push({ pos: i, index: fixedIndex, reason: `cannot encode the record: ${(err as Error).message}` });
        continue;
      }
      rec ??= doc.record;
      // --- index
      let index = fixedIndex;
      if (ls !== undefined) {
        const it = o.currentTimeIndex ? now : t;
        const sec = Math.floor(it / 1000);
        if (sec !== lastIndexSec) {
          lastIndexSec = sec;
          datedIndex = ls.date(it);
        }
        const prefix = ls.prefixKey === undefined ? ls.prefix : (ls.prefixKey.render(rec!, tag) ?? ls.prefix);
        index = prefix + ls.separator + datedIndex;
      } else if (o.indexTemplate !== undefined) {
        index = o.indexTemplate.render(rec!, tag) ?? o.index;
      }
      const start = w.pos;
      if (idKey !== undefined) {
        const id = idText(getPath(rec!, idKey));
        if (id === undefined && needsId) {
          rejected.push({ pos: i, index, reason: `write_operation ${o.writeOperation} needs an _id and the record has no string or number at id_key` });
          continue;
        }
        w.text(this.action(index, id));
        this.document(w, doc, t, tagPart);
      } else if (generateId) {
        const s = this.scratch;
        s.pos = 0;
        this.document(s, doc, t, tagPart);
        const body = s.buf.subarray(0, s.pos - 1); // without its newline
        w.text(this.action(index, uuidOf(body)));
        w.bytes(s.buf.subarray(0, s.pos));
      } else {
        if (index !== lastIndex || lastAction === undefined) {
          lastIndex = index;
          lastAction = Buffer.from(this.action(index, undefined));
        }
        w.bytes(lastAction);
        this.document(w, doc, t, tagPart);
      }
      starts[positions.length] = start;
      positions.push(i);
      times.push(t);
      indices.push(index);
    }
    starts[positions.length] = w.pos;
    this.pool.learn(w, recordBytes, n);
    const pool = this.pool;
    let released = false;
    return {
      body: w.buf.subarray(0, w.pos),
      positions,
      times,
      starts: starts.subarray(0, positions.length + 1),
      indices,
      rejected,
      release: () => {
        if (released) return;
        released = true;
        pool.give(w);
      },
    };
  }

  /** The time key up to the seconds (`"@timestamp":"2025-03-14T09:00:00`), per second of record time. */
  private lastSec = Number.NaN;
  private timeHead: Buffer = Buffer.alloc(0);
  /** `"@timestamp":` as bytes, to tell cheaply that a record has no time key of its own. */
  private readonly timeKeyProbe: Buffer;

  /**
   * Event i's fields as bytes to splice. Usually the record's JSON as it is; a record is decoded
   * only when its bytes hold a dot (replace_dots) or the time key's name (is it its own?).
   */
  private docOf(data: EventData, i: number, decoded: Record<string, unknown> | undefined): Doc {
    const o = this.o;
    const start = data.starts[i]!;
    const end = data.starts[i + 1]!;
    let rec = decoded;
    let hasTime = false;
    if (this.nextProbe.at(data, start, this.timeKeyProbe) < end) {
      rec ??= data.record(i);
      hasTime = rec[o.timeKey] !== undefined;
    }
    if (o.replaceDots && this.nextDot.at(data, start, DOT) < end) {
      rec ??= data.record(i);
      if (hasDots(rec)) {
        const b = Buffer.from(toJson(dotless(rec)));
        return { buf: b, start: 0, end: b.length, hasTime, record: rec };
      }
    }
    return { buf: data.buf, start, end, hasTime, record: rec };
  }

  private readonly nextProbe = new NextMatch();
  private readonly nextDot = new NextMatch();

  /**
   * `{` time key, the record's fields, tag key `}` and a newline, each part only when present,
   * commas between. The record's fields are its JSON bytes, its opening brace overwritten by the
   * comma (or kept when it comes first) and its closing one dropped.
   */
  private document(w: ByteWriter, d: Doc, t: number, tagPart: Buffer | undefined): void {
    const o = this.o;
    if (this.docHead.length > 0) w.bytes(this.docHead);
    let first = true;
    if (!d.hasTime) {
      const sec = Math.floor(t / 1000);
      if (sec !== this.lastSec) {
        this.lastSec = sec;
        this.timeHead = Buffer.from(this.timeKeyJson + ':"' + o.timeFormat(sec * 1000));
      }
      w.byte(OPEN);
      w.bytes(this.timeHead);
      const frac = t - sec * 1000;
      if (o.timeNanos) {
        w.text('.' + String(Math.min(999_999_999, Math.round(frac * 1e6))).padStart(9, '0') + 'Z"');
      } else {
        const at = Math.floor(frac) * 6;
        w.bytesOf(MS_TAIL, at, at + 6);
      }
      first = false;
    }
    if (d.end - d.start > 2) {
      if (first) w.bytesOf(d.buf, d.start, d.end - 1);
      else {
        w.byte(COMMA);
        w.bytesOf(d.buf, d.start + 1, d.end - 1);
      }
      first = false;
    }
    if (tagPart !== undefined) {
      w.byte(first ? OPEN : COMMA);
      w.bytes(tagPart);
      first = false;
    }
    if (first) w.byte(OPEN);
    w.bytes(this.docTail);
  }
}

const DOT = Buffer.from('.');

/**
 * Where `needle` next occurs in an EventData's buffer at or after a position, remembered between
 * calls: the events of a chunk are looked at in order, so the whole chunk is searched once
 * (searching each record to the buffer's end would be quadratic when the needle is rare).
 */
class NextMatch {
  private data: EventData | undefined;
  private pos = -1;
  private from = 0;

  at(data: EventData, from: number, needle: Buffer): number {
    if (data !== this.data || this.pos < from || from < this.from) {
      this.data = data;
      this.from = from;
      const p = data.buf.indexOf(needle, from);
      this.pos = p === -1 ? Infinity : p;
    }
    return this.pos;
  }
}

/** A record's JSON to splice: bytes [start, end) of buf, and whether it has its own time key. */
interface Doc {
  buf: Buffer;
  start: number;
  end: number;
  hasTime: boolean;
  record: Record<string, unknown> | undefined;
}

/** The document line of encoded event i (without its action line and newline), as a copy. */
export function documentBytes(enc: EncodedBulk, i: number): Buffer {
  const start = enc.starts[i]!;
  const end = enc.starts[i + 1]! - 1;
  const nl = enc.body.indexOf(10, start);
  return Buffer.from(enc.body.subarray(nl < 0 || nl >= end ? start : nl + 1, end));
}
