import { createHash } from 'node:crypto';
import type { LogEvent } from '../../src/engine/types.js';
import { getPath } from '../../src/record/accessor.js';
import { ByteWriter, WriterPool } from '../../src/codec/byte-writer.js';
import type { EncodeOptions } from './config.js';
import { dotless, hasDots } from './replace-dots.js';

/**
 * Bulk NDJSON: for each event an action line (`{"create":{"_index":"logs"}}`) and the document.
 * Written piece by piece into one pooled buffer per chunk; the byte offsets of each event let
 * batch.ts cut requests (and 413 halves) as slices of the same buffer, never re-encoding.
 *
 * Per-event work is kept to the record's own JSON.stringify and one UTF-8 write:
 * - the time key (`"@timestamp":"…`) is formatted once per second of record time and copied as
 *   bytes, the milliseconds from a table;
 * - action lines are made once per index (per second with logstash_format) and copied as bytes;
 * - `kubernetes`, the map the kubernetes filter shares between a pod's records, is serialized
 *   once per run of records that share it and copied in (the record's own stringify skips it).
 */
export interface EncodedBulk {
  /** The NDJSON of every encoded event, in order. */
  body: Buffer;
  /** The encoded events, in body order. */
  events: LogEvent[];
  /** starts[i] is the byte offset of events[i]'s action line; starts[events.length] = body.length. */
  starts: Uint32Array;
  /** Index of each encoded event (for dead-letter entries). */
  indices: string[];
  /** Events that could not be encoded, with why (never sent: dead-lettered and counted). */
  rejected: RejectedEvent[];
  /** Give the body's buffer back for the next chunk; `body` must not be used afterwards. */
  release(): void;
}

export interface RejectedEvent {
  event: LogEvent;
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
  return undefined;
}

export class BulkEncoder {
  private readonly timeKeyJson: string;
  private readonly actionHead: string;
  private readonly typePart: string;
  private readonly docHead: Buffer;
  private readonly docTail: Buffer;
  private readonly pool = new WriterPool();
  /** generate_id: the document is written here first, hashed, then copied after its action line. */
  private readonly scratch = new ByteWriter(Buffer.allocUnsafe(64 * 1024));

  constructor(private readonly o: EncodeOptions) {
    this.timeKeyJson = JSON.stringify(o.timeKey);
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
  encode(events: readonly LogEvent[], tag: string, now: number): EncodedBulk {
    const o = this.o;
    const n = events.length;
    const starts = new Uint32Array(n + 1);
    const kept: LogEvent[] = [];
    const indices: string[] = [];
    const rejected: RejectedEvent[] = [];
    const tagPart = o.tagKey === undefined ? undefined : Buffer.from(JSON.stringify(o.tagKey) + ':' + JSON.stringify(tag));
    const fixedIndex = o.indexStrftime ? o.indexStrftime(now) : o.index;
    const needsId = o.writeOperation === 'update' || o.writeOperation === 'upsert';
    const idKey = o.idKey;
    const generateId = idKey === undefined && o.generateId;
    const timeKey = o.timeKey;
    const ls = o.logstash;
    const w = this.pool.take();
    this.kubeObj = undefined;
    this.kubeBytes = undefined;
    this.lastSec = Number.NaN;
    let lastIndexSec = Number.NaN;
    let datedIndex = '';
    let lastIndex = '';
    let lastAction: Buffer | undefined;
    for (let i = 0; i < n; i++) {
      const ev = events[i]!;
      const rec = ev.record;
      const t = Number.isFinite(ev.time) ? ev.time : now;
      // --- index
      let index = fixedIndex;
      if (ls !== undefined) {
        const it = o.currentTimeIndex ? now : t;
        const sec = Math.floor(it / 1000);
        if (sec !== lastIndexSec) {
          lastIndexSec = sec;
          datedIndex = ls.date(it);
        }
        const prefix = ls.prefixKey === undefined ? ls.prefix : (ls.prefixKey.render(rec, tag) ?? ls.prefix);
        index = prefix + ls.separator + datedIndex;
      } else if (o.indexTemplate !== undefined) {
        index = o.indexTemplate.render(rec, tag) ?? o.index;
      }
      // --- the record's own JSON (the one thing that can fail), before anything is written
      let json: string;
      try {
        json = this.recordJson(rec);
      } catch (err) {
        rejected.push({ event: ev, index, reason: `cannot serialize the record: ${(err as Error).message}` });
        continue;
      }
      const start = w.pos;
      if (idKey !== undefined) {
        const id = idText(getPath(rec, idKey));
        if (id === undefined && needsId) {
          rejected.push({ event: ev, index, reason: `write_operation ${o.writeOperation} needs an _id and the record has no string or number at id_key` });
          continue;
        }
        w.text(this.action(index, id));
        this.document(w, rec, json, t, tagPart, timeKey);
      } else if (generateId) {
        const s = this.scratch;
        s.pos = 0;
        this.document(s, rec, json, t, tagPart, timeKey);
        const doc = s.buf.subarray(0, s.pos - 1); // without its newline
        w.text(this.action(index, uuidOf(doc)));
        w.bytes(s.buf.subarray(0, s.pos));
      } else {
        if (index !== lastIndex || lastAction === undefined) {
          lastIndex = index;
          lastAction = Buffer.from(this.action(index, undefined));
        }
        w.bytes(lastAction);
        this.document(w, rec, json, t, tagPart, timeKey);
      }
      starts[kept.length] = start;
      kept.push(ev);
      indices.push(index);
    }
    starts[kept.length] = w.pos;
    this.kubeObj = undefined;
    this.kubeBytes = undefined;
    const pool = this.pool;
    let released = false;
    return {
      body: w.buf.subarray(0, w.pos),
      events: kept,
      starts: starts.subarray(0, kept.length + 1),
      indices,
      rejected,
      release: () => {
        if (released) return;
        released = true;
        pool.give(w);
      },
    };
  }

  /** The last shared `kubernetes` map of this chunk and its bytes (`"kubernetes":{…}`). */
  private kubeObj: object | undefined;
  private kubeBytes: Buffer | undefined;
  /** The time key up to the seconds (`"@timestamp":"2025-03-14T09:00:00`), per second of record time. */
  private lastSec = Number.NaN;
  private timeHead: Buffer = Buffer.alloc(0);

  /** The record as JSON without `kubernetes` (written from its cached bytes). */
  private recordJson(rec: Record<string, unknown>): string {
    const dots = this.o.replaceDots;
    const kube = rec.kubernetes;
    if (kube !== null && typeof kube === 'object') {
      if (kube !== this.kubeObj) {
        this.kubeBytes = Buffer.from('"kubernetes":' + JSON.stringify(dots ? dotless(kube) : kube));
        this.kubeObj = kube;
      }
      rec.kubernetes = undefined; // JSON.stringify leaves it out; same shape, restored below
      try {
        return JSON.stringify(dots && hasDots(rec) ? dotless(rec) : rec);
      } finally {
        rec.kubernetes = kube;
      }
    }
    return JSON.stringify(dots && hasDots(rec) ? dotless(rec) : rec);
  }

  /**
   * `{` time key, the record's fields, `kubernetes`, tag key `}` and a newline, each part only
   * when present, commas between. The record's fields are its JSON written as is, its opening
   * brace overwritten by the comma (or kept when it comes first) and its closing one dropped.
   */
  private document(w: ByteWriter, rec: Record<string, unknown>, json: string, t: number, tagPart: Buffer | undefined, timeKey: string): void {
    const o = this.o;
    if (this.docHead.length > 0) w.bytes(this.docHead);
    let first = true;
    if (rec[timeKey] === undefined) {
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
    if (json.length > 2) {
      const at = w.pos;
      const len = w.text(json);
      if (!first) w.buf[at] = COMMA;
      w.pos = at + len - 1; // drop the closing brace
      first = false;
    }
    if (this.kubeObj !== undefined && rec.kubernetes === this.kubeObj) {
      w.byte(first ? OPEN : COMMA);
      w.bytes(this.kubeBytes!);
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

/** The document line of encoded event i (without its action line and newline), as a copy. */
export function documentBytes(enc: EncodedBulk, i: number): Buffer {
  const start = enc.starts[i]!;
  const end = enc.starts[i + 1]! - 1;
  const nl = enc.body.indexOf(10, start);
  return Buffer.from(enc.body.subarray(nl < 0 || nl >= end ? start : nl + 1, end));
}
