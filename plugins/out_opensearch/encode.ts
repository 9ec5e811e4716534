import { createHash } from 'node:crypto';
import type { LogEvent } from '../../src/engine/types.js';
import { getPath } from '../../src/record/accessor.js';
import type { EncodeOptions } from './config.js';
import { dotless, hasDots } from './replace-dots.js';

/**
 * Bulk NDJSON: for each event an action line (`{"create":{"_index":"logs"}}`) and the document.
 * Built as one string per chunk, turned into bytes once; the offsets of each event let batch.ts
 * cut requests (and 413 halves) as slices of the same buffer, never re-encoding.
 *
 * Per-event work is kept to the record's own JSON.stringify:
 * - the time key text is formatted once per second of record time (milliseconds from a table);
 * - index names and the action line are built once per index (per second with logstash_format);
 * - `kubernetes`, the map the kubernetes filter shares between a pod's records, is serialized
 *   once per run of records that share it and spliced in (the record's own stringify skips it).
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
}

export interface RejectedEvent {
  event: LogEvent;
  index: string;
  reason: string;
}

/** '.000Z"' … '.999Z"': the millisecond tail of the time key. */
const MS_TAIL: string[] = Array.from({ length: 1000 }, (_, i) => `.${String(i).padStart(3, '0')}Z"`);

function uuidOf(text: string): string {
  const h = createHash('md5').update(text).digest('hex').toUpperCase();
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
  private readonly docHead: string;

  constructor(private readonly o: EncodeOptions) {
    this.timeKeyJson = JSON.stringify(o.timeKey);
    const action = o.writeOperation === 'upsert' ? 'update' : o.writeOperation;
    this.actionHead = `{"${action}":{"_index":`;
    this.typePart = o.type === undefined ? '' : `,"_type":${JSON.stringify(o.type)}`;
    this.docHead = o.writeOperation === 'update' ? '{"doc":' : o.writeOperation === 'upsert' ? '{"doc_as_upsert":true,"doc":' : '';
  }

  private action(index: string, id: string | undefined): string {
    return this.actionHead + JSON.stringify(index) + this.typePart + (id === undefined ? '' : ',"_id":' + JSON.stringify(id)) + '}}\n';
  }

  /** Encode a chunk's events. `now` (epoch ms) names indices with current_time_index or `%` in index. */
  encode(events: readonly LogEvent[], tag: string, now: number): EncodedBulk {
    const o = this.o;
    const n = events.length;
    const charStarts = new Uint32Array(n + 1);
    const kept: LogEvent[] = [];
    const indices: string[] = [];
    const rejected: RejectedEvent[] = [];
    const tagPart = o.tagKey === undefined ? '' : JSON.stringify(o.tagKey) + ':' + JSON.stringify(tag);
    const fixedIndex = o.indexStrftime ? o.indexStrftime(now) : o.index;
    const needsId = o.writeOperation === 'update' || o.writeOperation === 'upsert';
    const withId = o.idKey !== undefined || o.generateId;
    const timeKey = o.timeKey;
    const ls = o.logstash;
    this.kubeObj = undefined;
    this.kubeText = '';
    let out = '';
    let pos = 0;
    let lastSec = Number.NaN;
    let timeHead = '';
    let lastIndexSec = Number.NaN;
    let datedIndex = '';
    let lastIndex = '';
    let lastAction = '';
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
      // --- document
      let doc: string;
      try {
        doc = this.document(rec, tagPart);
      } catch (err) {
        rejected.push({ event: ev, index, reason: `cannot serialize the record: ${(err as Error).message}` });
        continue;
      }
      if (rec[timeKey] === undefined) {
        // the time key, its text formatted once per second of record time
        const sec = Math.floor(t / 1000);
        if (sec !== lastSec) {
          lastSec = sec;
          timeHead = '{' + this.timeKeyJson + ':"' + o.timeFormat(sec * 1000);
        }
        const frac = t - sec * 1000;
        const tail = o.timeNanos ? '.' + String(Math.min(999_999_999, Math.round(frac * 1e6))).padStart(9, '0') + 'Z"' : MS_TAIL[Math.floor(frac)]!;
        doc = doc.length === 2 ? timeHead + tail + '}' : timeHead + tail + ',' + doc.slice(1);
      }
      if (this.docHead) doc = this.docHead + doc + '}';
      // --- action line
      let action: string;
      if (withId) {
        const id = o.idKey !== undefined ? idText(getPath(rec, o.idKey)) : uuidOf(doc);
        if (id === undefined && needsId) {
          rejected.push({ event: ev, index, reason: `write_operation ${o.writeOperation} needs an _id and the record has no string or number at id_key` });
          continue;
        }
        action = this.action(index, id);
      } else {
        if (index !== lastIndex || lastAction === '') {
          lastIndex = index;
          lastAction = this.action(index, undefined);
        }
        action = lastAction;
      }
      charStarts[kept.length] = pos;
      kept.push(ev);
      indices.push(index);
      out += action;
      out += doc;
      out += '\n';
      pos += action.length + doc.length + 1;
    }
    charStarts[kept.length] = pos;
    this.kubeObj = undefined;
    this.kubeText = '';
    const body = Buffer.from(out, 'utf8');
    const starts = charStarts.subarray(0, kept.length + 1);
    if (body.length !== pos) toByteOffsets(out, starts);
    return { body, events: kept, starts, indices, rejected };
  }

  /** The last shared `kubernetes` map of this chunk and its JSON (`"kubernetes":{…}`). */
  private kubeObj: object | undefined;
  private kubeText = '';

  /** The record as JSON, `kubernetes` spliced from its cached text, the tag key appended. */
  private document(rec: Record<string, unknown>, tagPart: string): string {
    const dots = this.o.replaceDots;
    const kube = rec.kubernetes;
    let json: string;
    let kubeText = '';
    if (kube !== null && typeof kube === 'object') {
      if (kube !== this.kubeObj) {
        this.kubeText = '"kubernetes":' + JSON.stringify(dots ? dotless(kube) : kube);
        this.kubeObj = kube;
      }
      kubeText = this.kubeText;
      rec.kubernetes = undefined; // JSON.stringify leaves it out; same shape, restored below
      try {
        json = JSON.stringify(dots && hasDots(rec) ? dotless(rec) : rec);
      } finally {
        rec.kubernetes = kube;
      }
    } else {
      json = JSON.stringify(dots && hasDots(rec) ? dotless(rec) : rec);
    }
    if (kubeText === '' && tagPart === '') return json;
    let doc = json.length > 2 ? json.slice(0, -1) + ',' : '{';
    if (kubeText !== '') doc += tagPart === '' ? kubeText : kubeText + ',' + tagPart;
    else doc += tagPart;
    return doc + '}';
  }
}

/** Turn UTF-16 offsets into UTF-8 byte offsets (only for chunks with non-ASCII text). */
function toByteOffsets(text: string, starts: Uint32Array): void {
  let bytes = 0;
  let prevChar = 0;
  for (let i = 1; i < starts.length; i++) {
    const c = starts[i]!;
    bytes += Buffer.byteLength(text.slice(prevChar, c), 'utf8');
    prevChar = c;
    starts[i] = bytes;
  }
}

/** The document line of encoded event i (without its action line and newline). */
export function documentBytes(enc: EncodedBulk, i: number): Buffer {
  const start = enc.starts[i]!;
  const end = enc.starts[i + 1]! - 1;
  const nl = enc.body.indexOf(10, start);
  return enc.body.subarray(nl < 0 || nl >= end ? start : nl + 1, end);
}
