import { ByteWriter } from '../codec/byte-writer.js';
import { writeJson, writeObjectWithout } from '../codec/json-bytes.js';
import { ChunkBuilder, type EncodedBatch } from './chunk-builder.js';
import type { EventData } from './event-data.js';
import type { LogEvent } from './types.js';

/** Records that could not become JSON (a BigInt, a cycle, nesting deeper than the stack). */
export interface Unencodable {
  count: number;
  /** Why the first one failed. */
  reason: string;
  /** The first one (for a redacted excerpt in the log). */
  first: LogEvent;
}

export interface Encoded {
  /** Valid until the next call (it is the shared scratch buffer): copy it into chunks at once. */
  batch: EncodedBatch;
  unencodable: Unencodable | null;
}

const CLOSE = 0x7d;
const COMMA = 0x2c;
const KUBE_HEAD = Buffer.from('"kubernetes":');

/** One scratch writer for every batch (encoding is synchronous); chunks copy out of it. */
const scratch = new ByteWriter(Buffer.allocUnsafe(256 * 1024));
/** `"kubernetes":{…}` of the pod whose records are being encoded. */
const kubeScratch = new ByteWriter(Buffer.allocUnsafe(4096));
/** The batch's index, reused too (a fresh typed array per batch is a malloc per batch). */
let scratchStarts = new Uint32Array(1025);
let scratchTimes = new Float64Array(1024);
/** Larger than this, the scratch buffer is not kept between batches. */
const SCRATCH_KEEP = 8 * 1024 * 1024;

/**
 * A batch of events → bytes: each record's JSON once, at the end of the filters, so buffers
 * hold bytes rather than object graphs. The JSON is written as bytes (writeJson: no string per
 * record). The `kubernetes` map that the kubernetes filter shares between a pod's records is
 * serialized once per run of records that share it and copied in.
 * A record that cannot be serialized is left out and counted (the caller drops it, logged).
 */
export function encodeEvents(events: readonly LogEvent[]): Encoded {
  const n = events.length;
  const w = scratch;
  w.pos = 0;
  if (scratchTimes.length < n) {
    scratchTimes = new Float64Array(Math.max(n, scratchTimes.length * 2));
    scratchStarts = new Uint32Array(scratchTimes.length + 1);
  }
  const starts = scratchStarts;
  const times = scratchTimes;
  let k = 0;
  let unencodable: Unencodable | null = null;
  let kubeObj: unknown;
  let kubeLen = 0;
  for (let i = 0; i < n; i++) {
    const ev = events[i]!;
    const rec = ev.record;
    const start = w.pos;
    try {
      const kube = rec.kubernetes;
      if (kube !== null && typeof kube === 'object') {
        if (kube !== kubeObj) {
          kubeObj = undefined;
          kubeScratch.pos = 0;
          kubeScratch.bytes(KUBE_HEAD);
          writeJson(kubeScratch, kube);
          kubeLen = kubeScratch.pos;
          kubeObj = kube;
        }
        // the record without its kubernetes map; then the map's bytes, last
        if (writeObjectWithout(w, rec, 'kubernetes') > 0) w.buf[w.pos - 1] = COMMA; // the closing brace becomes the comma before it
        else w.pos--;
        w.bytesOf(kubeScratch.buf, 0, kubeLen);
        w.byte(CLOSE);
      } else {
        writeJson(w, rec);
      }
    } catch (err) {
      w.pos = start;
      if (unencodable === null) unencodable = { count: 0, reason: (err as Error).message, first: ev };
      unencodable.count++;
      continue;
    }
    starts[k] = start;
    times[k] = ev.time;
    k++;
  }
  starts[k] = w.pos;
  return { batch: { buf: w.buf, starts, times, count: k }, unencodable };
}

/** Let go of an outsized scratch buffer (after a rare huge batch). */
export function trimScratch(): void {
  if (scratch.buf.length > SCRATCH_KEEP) scratch.buf = Buffer.allocUnsafe(256 * 1024);
}

/** Events → EventData paid by no one (tests, tools). Throws if a record cannot be encoded. */
export function eventData(events: readonly LogEvent[]): EventData {
  const r = encodeEvents(events);
  if (r.unencodable) throw new Error(`cannot encode ${r.unencodable.count} record(s): ${r.unencodable.reason}`);
  const b = new ChunkBuilder(r.batch.starts[r.batch.count]!, r.batch.count);
  b.append(r.batch, null);
  return b.seal();
}
