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

/**
 * The PutLogEvents input of one batch (no sequence token), as UTF-8 bytes. Messages that are a
 * record's JSON are copied from the chunk's bytes with `"` and `\` escaped (and, should one ever
 * be there, a control character as \u00XX): no string per event, no JSON.stringify of text that
 * is already JSON. The body is written straight into `room` (the buffer of an earlier body, given
 * back once the service answered it) or a new buffer with room to spare, so that the next bodies,
 * which vary a little in size, fit in it when it is reused; it grows by a quarter when a body
 * does not fit. Returns the body and the whole buffer it is in (to give back for reuse).
 */
export function putLogEventsBody(batch: PutBatch, enc: Encoded, room?: Buffer): { body: Buffer; buf: Buffer } {
  const idx = batch.idx;
  const { buf, starts } = enc.data;
  let out = room ?? Buffer.allocUnsafeSlow(Math.min(MAX_BODY_ROOM, batch.bytes + (batch.bytes >> 3) + 4096));
  let o = 0;
  /** Room for `more` bytes from `at`. */
  const ensure = (at: number, more: number): Buffer => {
    if (at + more > out.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(out.length + (out.length >> 2), at + more));
      out.copy(grown, 0, 0, at);
      out = grown;
    }
    return out;
  };
  const head = `{"logGroupName":${JSON.stringify(batch.group)},"logStreamName":${JSON.stringify(batch.stream)},"logEvents":[`;
  o += ensure(0, head.length * 3).write(head, o, 'utf8');
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const msg = enc.msgs[i]!;
    if (msg === true) {
      const s = starts[i]!;
      const e = starts[i + 1]!;
      // `"` and `\` take two bytes: room for every byte of the message being one (a control
      // character, six bytes, makes room for itself)
      let dst = ensure(o, EVENT_HEAD.length + 17 + (e - s) * 2 + 4);
      // `,{"timestamp":<ms>,"message":"` written as bytes: no string per event
      if (k) dst[o++] = 0x2c;
      o += EVENT_HEAD.copy(dst, o);
      o = writeDigits(dst, o, enc.times[i]!);
      o += MESSAGE_HEAD.copy(dst, o);
      for (let p = s; p < e; p++) {
        const c = buf[p]!;
        const x = ESCAPE[c]!;
        if (x === 0) {
          dst[o++] = c;
        } else if (x === 1) {
          dst[o] = 0x5c;
          dst[o + 1] = c;
          o += 2;
        } else {
          dst = ensure(o, 6 + (e - p) * 2 + 4);
          o += dst.write(`\\u00${c < 0x10 ? '0' : ''}${c.toString(16)}`, o, 'latin1');
        }
      }
      dst[o++] = 0x22;
      dst[o++] = 0x7d;
    } else {
      const text = (k ? ',{"timestamp":' : '{"timestamp":') + enc.times[i]! + ',"message":' + JSON.stringify(msg) + '}';
      o += ensure(o, text.length * 3).write(text, o, 'utf8');
    }
  }
  const dst = ensure(o, 2);
  dst[o++] = 0x5d;
  dst[o++] = 0x7d;
  return { body: out.subarray(0, o), buf: out };
}

/** A new body buffer is at most this large (PutLogEvents takes 1,048,576 bytes of events); a larger body grows it. */
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
