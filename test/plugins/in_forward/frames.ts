import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Packr, Unpackr } from 'msgpackr';

/** Forward protocol frames written byte by byte, as particular clients write them. */

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export const pack = (v: unknown): Buffer => packr.pack(v);

function str(s: string): Buffer {
  const b = Buffer.from(s);
  if (b.length < 32) return Buffer.concat([Buffer.from([0xa0 | b.length]), b]);
  if (b.length < 256) return Buffer.concat([Buffer.from([0xd9, b.length]), b]);
  return Buffer.concat([Buffer.from([0xda, b.length >> 8, b.length & 0xff]), b]);
}

/** EventTime: fixext8, type 0, seconds and nanoseconds big-endian. */
export function eventTime(sec: number, nsec: number): Buffer {
  const b = Buffer.alloc(10);
  b[0] = 0xd7;
  b[1] = 0x00;
  b.writeUInt32BE(sec, 2);
  b.writeUInt32BE(nsec, 6);
  return b;
}

/** An int64 time as Go's msgp writes an int64 of this size: int32 (0xd2). */
export function int32Time(sec: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 0xd2;
  b.writeInt32BE(sec, 1);
  return b;
}

/**
 * What Docker's `fluentd` log driver sends for one log line (fluent-logger-golang, Message mode):
 * [tag, time, record, option] with the time an integer (or EventTime with
 * fluentd-sub-second-precision), the record's values all strings, and option an empty map or
 * {"chunk": id} with fluentd-request-ack.
 */
export function dockerMessage(o: {
  tag: string; sec: number; nsec?: number; subSecond?: boolean; record: Record<string, string>; chunk?: string;
}): Buffer {
  const time = o.subSecond ? eventTime(o.sec, o.nsec ?? 0) : int32Time(o.sec);
  const option = o.chunk === undefined ? Buffer.from([0x80]) : Buffer.concat([Buffer.from([0x81]), str('chunk'), str(o.chunk)]);
  return Buffer.concat([Buffer.from([0x94]), str(o.tag), time, pack(o.record), option]);
}

/** The record Docker's driver builds for a container line (plus partial_* for a split line). */
export function dockerRecord(id: string, line: string, source = 'stdout'): Record<string, string> {
  return { container_id: id, container_name: '/web-1', source, log: line };
}

/** PackedForward: [tag, bin(entries), option]; entries gzipped with compressed: gzip. */
export function packedForward(tag: string, entries: Array<[Buffer, Record<string, unknown>]>, option: Record<string, unknown> = {}, gzip = false): Buffer {
  const stream = Buffer.concat(entries.map(([t, r]) => Buffer.concat([Buffer.from([0x92]), t, pack(r)])));
  const body = gzip ? gzipSync(stream) : stream;
  const bin = body.length < 256 ? Buffer.from([0xc4, body.length]) : body.length < 65536 ? Buffer.from([0xc5, body.length >> 8, body.length & 0xff])
    : Buffer.from([0xc6, body.length >>> 24, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
  const opt = gzip ? { ...option, compressed: 'gzip' } : option;
  return Buffer.concat([Buffer.from([0x93]), str(tag), bin, body, pack(opt)]);
}

/** A raw client: what it writes, the messages the server sends back. */
export interface RawClient {
  socket: Socket;
  /** Messages received so far (acks, HELO, PONG), decoded. */
  replies: unknown[];
  closed: Promise<void>;
}

export async function rawClient(target: { port: number } | { path: string }): Promise<RawClient> {
  const socket = 'path' in target ? connect(target.path) : connect(target.port, '127.0.0.1');
  const replies: unknown[] = [];
  let held = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    held = Buffer.concat([held, d]);
    try {
      const all = unpackr.unpackMultiple(held) as unknown[];
      replies.push(...all);
      held = Buffer.alloc(0);
    } catch {
      // an incomplete reply: wait for the rest
    }
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise((r) => socket.once('connect', r));
  return { socket, replies, closed };
}
