import { base64Into, base64Length, base64Words, LITTLE_ENDIAN, viewOf, wordsOf } from '../../codec/base64.js';
import type { OutgoingRequest } from '../../net/request.js';
import type { StreamService } from './service.js';
import type { Units } from './units.js';

/**
 * PutRecordBatch / PutRecords bodies (AWS JSON 1.1): `{"DeliveryStreamName":"s","Records":[
 * {"Data":"<base64>"},…]}`, Kinesis with `"PartitionKey":"k"` per record. Each body is written
 * once into a buffer of its exact size: the record bytes go straight to base64 in place.
 */
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** What a unit adds to a call against the service's call limit. */
export function unitCost(svc: StreamService, units: Units, u: number): number {
  const len = units.size(u);
  if (svc.partitionKeys) return len + Buffer.byteLength(units.keys[u]!);
  return base64Length(len) + RECORD_OVERHEAD;
}

/** `{"Data":""},` */
const RECORD_OVERHEAD = 12;
/** Length of `{"Data":"`. */
const DATA_OPEN = 9;
/** Most spaces a record's `{"Data":"` may be preceded by (alignment, see buildBody). */
const ALIGN = 3;

/** What every call's body starts with, `{"DeliveryStreamName":"s","Records":[` (made once per output). */
export function bodyHead(svc: StreamService, target: string): Buffer {
  return Buffer.from(`{"${svc.streamField}":${JSON.stringify(target)},"Records":[`);
}

export function callOverhead(svc: StreamService, head: Buffer): number {
  return svc.partitionKeys ? 0 : head.length + 2 + ALIGN;
}

/**
 * The body of one call carrying units `idx` (in order) after the head `h` (bodyHead), written into `room` when it is large
 * enough (a buffer reused from call to call), else into a new buffer.
 */
export function buildBody(svc: StreamService, h: Buffer, units: Units, idx: readonly number[], room?: Buffer): { body: Buffer; buf: Buffer } {
  const keyJson: string[] = [];
  let size = h.length + 2;
  for (let k = 0; k < idx.length; k++) {
    const u = idx[k]!;
    size += base64Length(units.size(u)) + RECORD_OVERHEAD + ALIGN;
    if (svc.partitionKeys) {
      const kj = JSON.stringify(units.keys[u]!);
      keyJson.push(kj);
      size += kj.length * 3 + 16; // `,"PartitionKey":` and the key as UTF-8 (at most 3 bytes a character)
    }
  }
  // a new buffer has 1/16 to spare, so that the next calls' bodies (a few bytes longer or shorter) fit in it
  const out = room !== undefined && room.length >= size ? room : Buffer.allocUnsafe(size + (size >> 4));
  let at = h.copy(out, 0);
  const base = out.byteOffset;
  const { bufs, starts, ends, tails } = units;
  const keyed = svc.partitionKeys;
  const words = LITTLE_ENDIAN ? wordsOf(out) : undefined;
  let dvOf: Buffer | undefined; // the record buffer `dv` views (a chunk's: the same for most units)
  let dv: DataView | undefined;
  for (let k = 0; k < idx.length; k++) {
    const u = idx[k]!;
    // `,{"Data":"` (the comma from the second record on) as single stores: no native call per
    // record; spaces before the `{` put the base64 on a 4-byte boundary, where it is written a word
    // at a time (Firehose: the first record only, as each record then adds a multiple of 4 bytes)
    if (k > 0) out[at++] = 0x2c;
    while (((base + at + DATA_OPEN) & 3) !== 0) out[at++] = 0x20;
    out[at] = 0x7b; // {"Data":"
    out[at + 1] = 0x22;
    out[at + 2] = 0x44;
    out[at + 3] = 0x61;
    out[at + 4] = 0x74;
    out[at + 5] = 0x61;
    out[at + 6] = 0x22;
    out[at + 7] = 0x3a;
    out[at + 8] = 0x22;
    at += DATA_OPEN;
    if (words !== undefined) {
      // aligned (above): word stores, with the views made once a body
      const src = bufs[u]!;
      if (src !== dvOf) {
        dvOf = src;
        dv = viewOf(src);
      }
      at = (base64Words(words, (base + at) >>> 2, dv!, src, starts[u]!, ends[u]!, tails[u]!) << 2) - base;
    } else {
      at = base64Into(out, at, bufs[u]!, starts[u]!, ends[u]!, tails[u]!);
    }
    if (keyed) {
      at += out.write('","PartitionKey":', at, 'latin1');
      at += out.write(keyJson[k]!, at, 'utf8');
      out[at++] = 0x7d;
    } else {
      out[at++] = 0x22;
      out[at++] = 0x7d;
    }
  }
  out[at++] = 0x5d; // ]}
  out[at++] = 0x7d;
  return { body: out.subarray(0, at), buf: out };
}

export function putRequest(url: URL, svc: StreamService, body: Buffer, userAgent: string): OutgoingRequest {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': CONTENT_TYPE, 'x-amz-target': svc.target, 'user-agent': userAgent },
    body,
  };
}
