import type { EventData } from '../../src/engine/event-data.js';
import { getPath, type Path } from '../../src/record/accessor.js';
import { RawNumber, toJson } from '../../src/codec/raw-number.js';
import type { EmfOptions } from './config.js';

/** PutLogEvents limits (see AWS-WIRE.md). */
export const EVENT_OVERHEAD = 26;
export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_BATCH_EVENTS = 10_000;
/** The largest message one event can carry: it must fit a batch with its 26 bytes of overhead. */
export const MAX_MESSAGE_BYTES = MAX_BATCH_BYTES - EVENT_OVERHEAD;

/**
 * A chunk's events encoded for PutLogEvents, in parallel arrays indexed like the chunk's events
 * (no object per event): each event's message, its integer epoch-ms timestamp, and its size as
 * the service counts it (UTF-8 bytes of the message + 26). Only the flat message strings live until
 * the calls are made; each call's JSON is built just before it is sent (see request.ts), so the
 * garbage collector does not carry per-event fragments across the awaits of a flush.
 */
export interface Encoded {
  /**
   * undefined: the event is not sent (see the counts); true: the message is the record's JSON as
   * the chunk holds it (`data`), copied into the call's body as bytes with no string made.
   */
  msgs: (string | true | undefined)[];
  /** The chunk's events (for messages that are the record's JSON bytes). */
  data: EventData;
  times: number[];
  sizes: number[];
  /** Records without `log_key`. */
  missingKey: number;
  /** Empty messages (the service needs at least one character). */
  empty: number;
  /** Records that cannot be written as JSON. */
  unencodable: number;
  /** Messages cut to the size limit, with a marker. */
  truncated: number;
}

/** The marker that ends a truncated message. */
export function truncationMarker(removedBytes: number): string {
  return `…[truncated by wren: ${removedBytes} bytes]`;
}

/**
 * Cut a message of `bytes` UTF-8 bytes (> limit) to at most `limit` bytes, marker included, at a
 * character boundary; the marker says how many bytes were cut.
 */
export function truncateMessage(msg: string, bytes: number, limit = MAX_MESSAGE_BYTES): string {
  const buf = Buffer.from(msg, 'utf8');
  let keep = Math.max(0, limit - Buffer.byteLength(truncationMarker(bytes)));
  while (keep > 0 && (buf[keep]! & 0xc0) === 0x80) keep--;
  return buf.toString('utf8', 0, keep) + truncationMarker(bytes - keep);
}

/**
 * A record as an Embedded Metric Format document (metric_namespace): `_aws` with the time, the
 * namespace, the dimension sets and one metric per top-level number (dimension keys aside),
 * then the record's fields. A record without numbers goes as it is.
 */
export function emfMessage(record: Record<string, unknown>, time: number, emf: EmfOptions): string {
  const dims = new Set(emf.dimensions.flat());
  const metrics: Array<{ Name: string }> = [];
  for (const [k, v] of Object.entries(record)) if (typeof v === 'number' && Number.isFinite(v) && !dims.has(k) && k !== '_aws') metrics.push({ Name: k });
  if (metrics.length === 0) return toJson(record);
  const aws = { Timestamp: Math.floor(time), CloudWatchMetrics: [{ Namespace: emf.namespace, Dimensions: emf.dimensions, Metrics: metrics }] };
  return toJson({ _aws: aws, ...record });
}

/** The message of a record: the whole record as JSON, or `log_key`'s value (text as is). */
function messageOf(data: EventData, i: number, logKey: Path | undefined, emf?: EmfOptions): string | undefined | null {
  if (logKey === undefined) return emf === undefined ? data.text(i) : emfMessage(data.record(i), data.times[i]!, emf);
  const record = data.record(i);
  const v = logKey.length === 1 ? record[logKey[0] as string] : getPath(record, logKey);
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof RawNumber) return String(v);
  return toJson(v);
}

export function encodeEvents(data: EventData, logKey: Path | undefined, emf?: EmfOptions): Encoded {
  const n = data.count;
  const out: Encoded = { msgs: new Array(n), data, times: new Array(n), sizes: new Array(n), missingKey: 0, empty: 0, unencodable: 0, truncated: 0 };
  const starts = data.starts;
  for (let i = 0; i < n; i++) {
    const t = Math.floor(data.times[i]!);
    out.times[i] = Number.isFinite(t) ? t : 0;
    if (logKey === undefined && emf === undefined) {
      // the whole record: its JSON bytes are the message (only a huge one needs cutting as text;
      // an EMF document is made from the decoded record below)
      const len = starts[i + 1]! - starts[i]!;
      if (len <= MAX_MESSAGE_BYTES) {
        out.sizes[i] = len + EVENT_OVERHEAD;
        out.msgs[i] = true;
        continue;
      }
    }
    let msg: string | undefined | null;
    try {
      msg = messageOf(data, i, logKey, emf);
    } catch {
      msg = undefined;
    }
    if (msg === null) {
      out.missingKey++;
      continue;
    }
    if (msg === undefined) {
      out.unencodable++;
      continue;
    }
    if (msg.length === 0) {
      out.empty++;
      continue;
    }
    let bytes = Buffer.byteLength(msg, 'utf8');
    if (bytes > MAX_MESSAGE_BYTES) {
      msg = truncateMessage(msg, bytes);
      bytes = Buffer.byteLength(msg, 'utf8');
      out.truncated++;
    }
    out.sizes[i] = bytes + EVENT_OVERHEAD;
    out.msgs[i] = msg;
  }
  return out;
}
