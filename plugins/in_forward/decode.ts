import { addExtension, Unpackr } from 'msgpackr/unpack';
import type { LogEvent } from '../../src/engine/types.js';
import { arrayHeader, MsgpackError, rawBytes, skipValue, typeName } from './msgpack-scan.js';

/**
 * Forward protocol frames → LogEvents. The four event modes (Message, Forward, PackedForward,
 * CompressedPackedForward) and both time forms (EventTime ext 0, integer or float seconds).
 * The frame's elements are located by their headers; msgpackr decodes only the values that
 * become records, so a packed chunk's bytes are never copied or decoded twice.
 */

/**
 * An EventTime (ext type 0: 4-byte seconds and 4-byte nanoseconds, big-endian; fixext8 or
 * ext8), held as epoch milliseconds: computed in one step, it keeps all the precision a float of
 * milliseconds has (going through float seconds would lose a quarter of a microsecond).
 */
export class EventTime {
  constructor(readonly ms: number) {}
  /** Inside a record (rare), it serializes as float seconds, as Fluent Bit prints it. */
  toJSON(): number {
    return this.ms / 1000;
  }
}

addExtension({
  type: 0,
  unpack(b: Uint8Array) {
    if (b.length !== 8) throw new MsgpackError(`EventTime (ext 0) has ${b.length} bytes, not 8`, 0);
    const s = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    const ns = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
    return new EventTime(s * 1000 + ns / 1e6);
  },
});

/**
 * Records as plain objects; 64-bit integers as numbers (records become JSON); bin values copied
 * out (the connection's read buffer is reused).
 */
const unpackr = new Unpackr({ mapsAsObjects: true, useRecords: false, int64AsType: 'number', copyBuffers: true });

export type Options = Record<string, unknown>;

/** What one frame holds besides its events. Reused by the caller: no allocation per frame. */
export interface FrameInfo {
  /** The tag the client sent. */
  tag: string;
  /** The `option` map, if the frame had one. */
  option: Options | undefined;
  /** CompressedPackedForward: the gzip bytes still to inflate (then `decodeEntries`). */
  gzip: Uint8Array | null;
  /** Entries that were not [time, map] and so were not records (skipped, counted). */
  invalid: number;
  /** A `nil` frame: a heartbeat, nothing to do. */
  heartbeat: boolean;
}

export function newFrameInfo(): FrameInfo {
  return { tag: '', option: undefined, gzip: null, invalid: 0, heartbeat: false };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function toMs(t: unknown, now: number): number {
  if (t instanceof EventTime) return t.ms;
  if (typeof t === 'number') return t * 1000;
  if (t instanceof Date) return t.getTime();
  return now;
}

/** Append one [time, record] entry; false (and nothing appended) when it is not one. */
function pushEntry(e: unknown, now: number, events: LogEvent[]): boolean {
  if (!Array.isArray(e) || e.length < 2 || !isRecord(e[1])) return false;
  events.push({ time: toMs(e[0], now), record: e[1] });
  return true;
}

/**
 * Decode the complete frame [start, end) of `buf`: its events are appended to `events`, the rest
 * goes to `info`. Throws MsgpackError when the frame is not a Forward message.
 */
export function decodeFrame(buf: Uint8Array, start: number, end: number, events: LogEvent[], info: FrameInfo): void {
  info.option = undefined;
  info.gzip = null;
  info.invalid = 0;
  info.heartbeat = false;
  if (buf[start] === 0xc0) {
    info.heartbeat = true;
    return;
  }
  const arr = arrayHeader(buf, start, end);
  if (arr === null) throw new MsgpackError(`expected an array (a Forward message), got ${typeName(buf, start)}`, start);
  if (arr.count < 2 || arr.count > 4) throw new MsgpackError(`a Forward message has 2 to 4 elements, this one ${arr.count}`, start);
  const tagAt = arr.first;
  const tagRange = rawBytes(buf, tagAt, end);
  if (tagRange === null || (buf[tagAt]! >= 0xc4 && buf[tagAt]! <= 0xc6)) {
    throw new MsgpackError(`the first element (the tag) must be a string, got ${typeName(buf, tagAt)}`, tagAt);
  }
  info.tag = Buffer.from(buf.buffer, buf.byteOffset + tagRange[0], tagRange[1] - tagRange[0]).toString('utf8');
  const second = tagRange[1];
  const afterSecond = skipValue(buf, second, end);
  const now = Date.now();
  const packed = rawBytes(buf, second, end);
  if (packed !== null) {
    // PackedForward (bin, or str from older clients) or CompressedPackedForward
    if (arr.count > 2) info.option = readOption(buf, afterSecond, end);
    const entries = buf.subarray(packed[0], packed[1]);
    if (info.option?.compressed === 'gzip') info.gzip = entries;
    else decodeEntries(entries, now, events, info);
    return;
  }
  const t = buf[second]!;
  if ((t >= 0x90 && t <= 0x9f) || t === 0xdc || t === 0xdd) {
    // Forward mode: an array of entries
    const list = unpackr.unpack(buf, { start: second, end: afterSecond } as never) as unknown[];
    for (const e of list) if (!pushEntry(e, now, events)) info.invalid++;
    if (arr.count > 2) info.option = readOption(buf, afterSecond, end);
    return;
  }
  // Message mode: tag, time, record, option?
  if (arr.count < 3) throw new MsgpackError('a Message-mode frame needs a time and a record', second);
  const time = unpackr.unpack(buf, { start: second, end: afterSecond } as never) as unknown;
  const recordEnd = skipValue(buf, afterSecond, end);
  const record = unpackr.unpack(buf, { start: afterSecond, end: recordEnd } as never) as unknown;
  if (isRecord(record)) events.push({ time: toMs(time, now), record });
  else info.invalid++;
  if (arr.count > 3) info.option = readOption(buf, recordEnd, end);
}

function readOption(buf: Uint8Array, at: number, end: number): Options | undefined {
  const v = unpackr.unpack(buf, { start: at, end: skipValue(buf, at, end) } as never) as unknown;
  return isRecord(v) ? v : undefined;
}

/** A MessagePackEventStream (PackedForward entries, inflated if they were gzip) → events. */
export function decodeEntries(entries: Uint8Array, now: number, events: LogEvent[], info: FrameInfo): void {
  if (entries.length === 0) return;
  unpackr.unpackMultiple(entries, (e: unknown) => {
    if (!pushEntry(e, now, events)) info.invalid++;
  });
}

/** Decode a whole value (handshake messages); throws MsgpackError on bytes that are not one. */
export function decodeValue(buf: Uint8Array, start: number, end: number): unknown {
  return unpackr.unpack(buf, { start, end } as never) as unknown;
}
