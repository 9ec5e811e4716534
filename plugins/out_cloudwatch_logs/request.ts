import type { OutgoingRequest } from '../../src/net/request.js';
import type { PutBatch } from './batch.js';
import type { Encoded } from './encode.js';

/**
 * CloudWatch Logs speaks the JSON 1.1 protocol: `POST /` with the operation in
 * `X-Amz-Target: Logs_20140328.<Operation>` and the input as a JSON object.
 */
export type Operation = 'PutLogEvents' | 'CreateLogGroup' | 'CreateLogStream' | 'PutRetentionPolicy';

export const TARGET_PREFIX = 'Logs_20140328.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

export function jsonRequest(url: URL, op: Operation, body: string | Uint8Array, logFormat?: string, userAgent = 'wren'): OutgoingRequest {
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPE,
    'x-amz-target': TARGET_PREFIX + op,
    'user-agent': userAgent,
  };
  if (logFormat && op === 'PutLogEvents') headers['x-amzn-logs-format'] = logFormat;
  return { method: 'POST', url, headers, body };
}

/** Reused between calls: a body is built here, then copied out at its exact size. */
let scratch = Buffer.allocUnsafe(1 << 20);

function ensure(at: number, more: number): void {
  if (at + more <= scratch.length) return;
  const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + more));
  scratch.copy(grown, 0, 0, at);
  scratch = grown;
}

/**
 * The PutLogEvents input of one batch (no sequence token), as UTF-8 bytes. Messages that are a
 * record's JSON are copied from the chunk's bytes with `"` and `\` escaped (and, should one ever
 * be there, a control character as \u00XX): no string per event, no JSON.stringify of text that
 * is already JSON. The body is copied out of the scratch buffer into `room` when it fits (a body
 * of an earlier call, given back once the service answered it), else into a new buffer.
 */
export function putLogEventsBody(batch: PutBatch, enc: Encoded, room?: Buffer): Buffer {
  const idx = batch.idx;
  const { buf, starts } = enc.data;
  let o = 0;
  const head = `{"logGroupName":${JSON.stringify(batch.group)},"logStreamName":${JSON.stringify(batch.stream)},"logEvents":[`;
  ensure(0, head.length * 3);
  o += scratch.write(head, o, 'utf8');
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const msg = enc.msgs[i]!;
    if (msg === true) {
      const s = starts[i]!;
      const e = starts[i + 1]!;
      ensure(o, EVENT_HEAD.length + 17 + (e - s) * 6 + 4);
      const out = scratch;
      // `,{"timestamp":<ms>,"message":"` written as bytes: no string per event
      if (k) out[o++] = 0x2c;
      o += EVENT_HEAD.copy(out, o);
      o = writeDigits(out, o, enc.times[i]!);
      o += MESSAGE_HEAD.copy(out, o);
      for (let p = s; p < e; p++) {
        const c = buf[p]!;
        const x = ESCAPE[c]!;
        if (x === 0) {
          out[o++] = c;
        } else if (x === 1) {
          out[o] = 0x5c;
          out[o + 1] = c;
          o += 2;
        } else {
          o += out.write(`\\u00${c < 0x10 ? '0' : ''}${c.toString(16)}`, o, 'latin1');
        }
      }
      out[o++] = 0x22;
      out[o++] = 0x7d;
    } else {
      const text = (k ? ',{"timestamp":' : '{"timestamp":') + enc.times[i]! + ',"message":' + JSON.stringify(msg) + '}';
      ensure(o, text.length * 3);
      o += scratch.write(text, o, 'utf8');
    }
  }
  ensure(o, 2);
  scratch[o++] = 0x5d;
  scratch[o++] = 0x7d;
  if (room !== undefined && room.length >= o) {
    scratch.copy(room, 0, 0, o);
    return room.subarray(0, o);
  }
  // room to spare, so that the next bodies (which vary a little in size) fit in it when it is reused
  const out = Buffer.allocUnsafeSlow(Math.max(o, Math.min(o + (o >> 3), MAX_BODY_ROOM)));
  scratch.copy(out, 0, 0, o);
  return out.subarray(0, o);
}

/** A reused body is at most this large (PutLogEvents takes 1,048,576 bytes of events). */
const MAX_BODY_ROOM = 1_200_000;

const EVENT_HEAD = Buffer.from('{"timestamp":', 'latin1');
const MESSAGE_HEAD = Buffer.from(',"message":"', 'latin1');
/** What a byte of a message needs inside a JSON string: 0 as is, 1 a backslash before it, 2 \u00XX. */
const ESCAPE = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) ESCAPE[c] = 2;
ESCAPE[0x22] = 1;
ESCAPE[0x5c] = 1;

/** The decimal digits of a non-negative integer (a timestamp in ms) at `o`; returns the end. */
function writeDigits(out: Buffer, o: number, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) return o + out.write(String(n), o, 'latin1');
  let len = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
  for (let p = o + len - 1; p >= o; p--) {
    out[p] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return o + len;
}

export function createLogGroupBody(group: string, groupClass: string | undefined, tags?: Record<string, string>): string {
  const input: Record<string, unknown> = { logGroupName: group };
  if (groupClass) input.logGroupClass = groupClass;
  if (tags && Object.keys(tags).length > 0) input.tags = tags;
  return JSON.stringify(input);
}

export function createLogStreamBody(group: string, stream: string): string {
  return JSON.stringify({ logGroupName: group, logStreamName: stream });
}

export function putRetentionPolicyBody(group: string, days: number): string {
  return JSON.stringify({ logGroupName: group, retentionInDays: days });
}
