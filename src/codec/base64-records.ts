import { BASE64_RECORDS_WASM } from './base64-records.wasm.js';

/**
 * The Firehose / Kinesis records `{"Data":"<base64>"},…` (Kinesis: `{"Data":"…","PartitionKey":"k"}`) written by WebAssembly (SIMD, 16
 * characters per instruction sequence): about three times the JS loop of base64.ts in a fresh
 * process, where the bodies of a Firehose run are made (the module is base64-records.wat).
 *
 * WebAssembly reads and writes only its own memory, so the records' bytes are copied into it and
 * the body is made there, and sent from there (a Buffer over that memory): one copy in, none out.
 * The memory is made at its full size and never grows: growing detaches the old ArrayBuffer,
 * which makes V8 check every typed array access of the process for detachment from then on.
 */

/** The part of the WebAssembly API used here (its types are in TypeScript's DOM library, not in this build's). */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(limits: { initial: number; maximum: number });
    readonly buffer: ArrayBuffer;
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}

const PAGE = 65536;
/** The module keeps the base64 alphabet in the memory's first bytes. */
export const RESERVED_BYTES = 64;
/**
 * A record's description, as 32-bit words: its address, its length, the byte after it (-1: none),
 * the address and length of the bytes that close it (`"}`, or `","PartitionKey":"k"}`).
 */
export const DESC_WORDS = 5;
/** How far past a record's last byte the module may read (a 16-byte load for 12 bytes). */
export const READ_PAST = 4;

export interface Base64Records {
  /** The whole memory as bytes, and as 32-bit words (for the descriptions). Valid for good: it never grows. */
  readonly bytes: Buffer;
  readonly words: Int32Array;
  /**
   * For the `n` records described from byte `desc` (DESC_WORDS words each), writes
   * `{"Data":"<base64 of the record and its tail byte>` and its closing bytes from byte `dst`,
   * separated by commas; returns the end.
   */
  records(desc: number, n: number, dst: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * A memory of at least `size` bytes with the module over it, or undefined where WebAssembly or its
 * SIMD is not there (`node --jitless`, a V8 built without) or the memory cannot be had: the caller
 * keeps the JS loop.
 */
export function base64Records(size: number): Base64Records | undefined {
  if (compiled === undefined) {
    try {
      compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(Buffer.from(BASE64_RECORDS_WASM, 'base64')) : null;
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return undefined;
  const pages = Math.ceil(size / PAGE);
  let memory: WebAssembly.Memory;
  let instance: WebAssembly.Instance;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    instance = new WebAssembly.Instance(compiled, { wren: { memory } });
  } catch {
    return undefined; // no address space for another memory (a process limit): the JS loop
  }
  return {
    bytes: Buffer.from(memory.buffer),
    words: new Int32Array(memory.buffer),
    records: instance.exports.records as (desc: number, n: number, dst: number) => number,
  };
}
