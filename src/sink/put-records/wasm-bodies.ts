import { base64Length } from '../../codec/base64.js';
import { base64Records, DESC_WORDS, READ_PAST, RESERVED_BYTES, type Base64Records } from '../../codec/base64-records.js';
import { MAX_PARTITION_KEY, type StreamService } from './service.js';
import type { Units } from './units.js';

/** A body made in a slot of the WebAssembly memory: `body` is a view of it, valid until `release(slot)`. */
export interface SlotBody {
  body: Buffer;
  slot: number;
}

/** `"}`, what closes a record without a partition key: once, after the module's reserved bytes. */
const CLOSE_AT = RESERVED_BYTES;
const CLOSE = Buffer.from('"}');
/** Where the records' descriptions go (one call's at a time: build() is synchronous). */
const DESC_AT = CLOSE_AT + 64;
/** What a record adds besides its base64 and closing bytes: `{"Data":"` and a comma. */
const RECORD_OPEN = 10;
/** `","PartitionKey":` (then the key as JSON and `}`). */
const PARTITION_KEY = Buffer.from('","PartitionKey":');
/** Most bytes a record's closing bytes take with its partition key: a key of 256 characters each escaped as `\u00XX`, in quotes, and `}`. */
const MAX_KEYED_CLOSE = PARTITION_KEY.length + MAX_PARTITION_KEY * 6 + 3;
/** Room for the body's head (`{"StreamName":"…","Records":[`, the name at most 128 characters escaped) and `]}`. */
const HEAD_ROOM = 1024;

/**
 * PutRecordBatch / PutRecords bodies made in WebAssembly memory (base64-records.ts): the units'
 * bytes are copied into a slot's input area, a run of adjacent bytes at a time (a chunk's records
 * lie one after another), partition keys (Kinesis) are written into its keys area, and the body
 * is written in its output area and sent from there (each area sized for the service's largest
 * call, see create()). A slot holds one call, from build() until
 * release(slot), which the caller does once the call settled, whatever the answer: Wren's own
 * client has then written all of the body or closed the connection (H1Agent's finish and
 * destroy); a proxied request on undici, answered early (a 413 on its Content-Length), may still
 * be writing the rest of it, whose bytes the server only reads past, so a slot reused by then
 * changes nothing that counts. build() returns undefined when no slot is free (more flushes at
 * once than workers) or the call does not fit one: the caller builds that body with the JS loop
 * (buildBody).
 *
 * The memory is sized for `slots` calls of the service's largest call (one per worker), but only
 * what calls use is ever touched, and so resident.
 */
export class WasmBodies {
  private readonly free: number[] = [];

  private constructor(private readonly wasm: Base64Records, private readonly maxRecords: number, private readonly inSize: number, private readonly keysSize: number, private readonly outSize: number, slotBase: number, slots: number) {
    CLOSE.copy(wasm.bytes, CLOSE_AT);
    for (let s = slots - 1; s >= 0; s--) this.free.push(slotBase + s * (inSize + keysSize + outSize));
  }

  /**
   * Bodies for `slots` calls at once of the service's largest: Firehose counts a call's body
   * (its records are at most 3/4 of it), Kinesis the records' bytes and keys (its body, in base64
   * with the keys, up to 4/3 of that and the JSON around each record). Undefined without WebAssembly.
   */
  static create(svc: StreamService, slots = 1): WasmBodies | undefined {
    const keyed = svc.partitionKeys;
    const inSize = roundUp((keyed ? svc.maxCallBytes : Math.ceil((svc.maxCallBytes * 3) / 4)) + READ_PAST, 64);
    // and the room build() asks for before a key's bytes are known (3 bytes a JSON character)
    const keysSize = keyed ? roundUp(svc.maxRecords * MAX_KEYED_CLOSE + 3 * MAX_KEYED_CLOSE, 64) : 0;
    const outSize = roundUp((keyed ? base64Length(svc.maxCallBytes) + keysSize + svc.maxRecords * (RECORD_OPEN + 4) : svc.maxCallBytes) + HEAD_ROOM, 64);
    const slotBase = roundUp(DESC_AT + svc.maxRecords * DESC_WORDS * 4, 64);
    const wasm = base64Records(slotBase + slots * (inSize + keysSize + outSize));
    return wasm === undefined ? undefined : new WasmBodies(wasm, svc.maxRecords, inSize, keysSize, outSize, slotBase, slots);
  }

  /**
   * The body `head` + units `idx` (with their partition keys when `keyed`) + `]}` in a free slot,
   * or undefined (no slot free, or a call larger than the service takes: not from this output's
   * batches, which keep to the service's limits).
   */
  build(head: Buffer, units: Units, idx: readonly number[], keyed = false): SlotBody | undefined {
    const n = idx.length;
    if (this.free.length === 0 || n > this.maxRecords) return undefined;
    const slot = this.free[this.free.length - 1]!; // taken once the call is known to fit
    const mem = this.wasm.bytes;
    const words = this.wasm.words;
    const { bufs, starts, ends, tails } = units;
    // sizes, and each record's closing bytes (with its partition key, in the slot's keys area)
    let inBytes = READ_PAST;
    let outBytes = head.length + 2;
    let keyAt = slot + this.inSize;
    const keysEnd = keyAt + this.keysSize;
    let w = DESC_AT >>> 2;
    for (let k = 0; k < n; k++) {
      const u = idx[k]!;
      inBytes += ends[u]! - starts[u]!;
      let closeAt = CLOSE_AT;
      let closeLen = 2;
      if (keyed) {
        const key = JSON.stringify(units.keys[u]!);
        if (keyAt + PARTITION_KEY.length + key.length * 3 + 1 > keysEnd) return undefined;
        closeAt = keyAt;
        keyAt += PARTITION_KEY.copy(mem, keyAt);
        keyAt += mem.write(key, keyAt, 'utf8');
        mem[keyAt++] = 0x7d; // }
        closeLen = keyAt - closeAt;
      }
      outBytes += base64Length(units.size(u)) + RECORD_OPEN + closeLen;
      words[w + 3] = closeAt;
      words[w + 4] = closeLen;
      w += DESC_WORDS;
    }
    if (inBytes > this.inSize || outBytes > this.outSize) return undefined;
    this.free.pop();
    // the input: runs of adjacent bytes of one buffer copied at once; each unit described by its place in the copy
    let at = slot;
    let runBuf: Buffer | undefined;
    let runStart = 0;
    let runEnd = 0;
    let runAt = slot;
    w = DESC_AT >>> 2;
    for (let k = 0; k < n; k++) {
      const u = idx[k]!;
      const buf = bufs[u]!;
      const s = starts[u]!;
      const e = ends[u]!;
      if (buf !== runBuf || s !== runEnd) {
        if (runBuf !== undefined) at += runBuf.copy(mem, at, runStart, runEnd);
        runBuf = buf;
        runStart = s;
        runAt = at;
      }
      runEnd = e;
      words[w] = runAt + (s - runStart);
      words[w + 1] = e - s;
      words[w + 2] = tails[u]!;
      w += DESC_WORDS;
    }
    if (runBuf !== undefined) runBuf.copy(mem, at, runStart, runEnd);
    const out = slot + this.inSize + this.keysSize;
    let end = this.wasm.records(DESC_AT, n, out + head.copy(mem, out));
    mem[end++] = 0x5d; // ]}
    mem[end++] = 0x7d;
    return { body: mem.subarray(out, end), slot };
  }

  /** The call made with the slot's body settled: the slot is free again. */
  release(slot: number): void {
    this.free.push(slot);
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
