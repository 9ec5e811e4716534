import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, writevSync } from 'node:fs';
import { ChunkBuilder, type EncodedBatch } from '../chunk-builder.js';
import { lazyRequire } from '../../lazy-require.js';
import type { EventData } from '../event-data.js';

/**
 * A chunk on disk (`storage.type filesystem`): one append-only file per chunk, holding exactly
 * the bytes the chunk holds in memory.
 *
 *     "WRENCHK1"  u32 header length  header JSON {tag, output, created, checksum}
 *     frames, one per batch appended:
 *       u32 "WRNF"  u32 count  u32 json bytes  u32 crc32 (0 without storage.checksum)
 *       f64 time × count   u32 record length × count   the records' JSON
 *
 * A batch is durable once its frame is written (and synced with storage.sync full). A crash in
 * the middle of a write leaves a short last frame: it is ignored when the file is read back (that
 * batch was never reported stored). A frame whose checksum does not match (a bad sector) makes
 * the whole file unreadable: it is quarantined, never half-delivered.
 */
const MAGIC = Buffer.from('WRENCHK1');
const FRAME_MAGIC = 0x57524e46; // 'WRNF'
const FRAME_HEAD = 16;

export interface ChunkHeader {
  tag: string;
  output: string;
  created: number;
  checksum: boolean;
}

/** An open chunk file, appended to batch by batch. */
export class ChunkFileWriter {
  private fd: number | null;
  /** Bytes written so far (the file's size). */
  size: number;

  constructor(readonly path: string, header: ChunkHeader, private readonly sync: boolean) {
    this.fd = openSync(path, 'wx', 0o600);
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(json.length);
    try {
      this.size = writevSync(this.fd, [MAGIC, len, json], 0);
      if (sync) fsyncSync(this.fd);
    } catch (err) {
      this.close();
      throw err;
    }
    this.checksum = header.checksum;
  }

  private readonly checksum: boolean;

  /** Append a batch's frame; throws (ENOSPC, EIO…) when it could not be written whole. */
  append(b: EncodedBatch): void {
    if (this.fd === null) throw new Error(`chunk file ${this.path} is closed`);
    const n = b.count;
    const jsonBytes = b.starts[n]!;
    const times = Buffer.from(b.times.buffer, b.times.byteOffset, n * 8);
    const lens = Buffer.allocUnsafe(n * 4);
    for (let i = 0; i < n; i++) lens.writeUInt32LE(b.starts[i + 1]! - b.starts[i]!, i * 4);
    const json = b.buf.subarray(0, jsonBytes);
    const head = Buffer.allocUnsafe(FRAME_HEAD);
    head.writeUInt32LE(FRAME_MAGIC, 0);
    head.writeUInt32LE(n, 4);
    head.writeUInt32LE(jsonBytes, 8);
    head.writeUInt32LE(this.checksum ? crc32(json, crc32(lens, crc32(times))) : 0, 12);
    const parts = [head, times, lens, json];
    const total = FRAME_HEAD + times.length + lens.length + json.length;
    try {
      let written = writevSync(this.fd, parts, this.size);
      // a short write: finish it (the rest of the frame), or fail with what the OS said
      while (written < total) written += writeRest(this.fd, parts, written, this.size + written);
      if (this.sync) fsyncSync(this.fd);
    } catch (err) {
      // leave the file as it was before this frame, so later frames still follow whole ones
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        this.close();
      }
      throw err;
    }
    this.size += total;
  }

  get isOpen(): boolean {
    return this.fd !== null;
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // closing a file we only appended to: nothing to recover
    }
    this.fd = null;
  }
}

function writeRest(fd: number, parts: Buffer[], from: number, position: number): number {
  let skip = from;
  const rest: Buffer[] = [];
  for (const p of parts) {
    if (skip >= p.length) {
      skip -= p.length;
      continue;
    }
    rest.push(skip > 0 ? p.subarray(skip) : p);
    skip = 0;
  }
  const n = writevSync(fd, rest, position);
  if (n === 0) throw Object.assign(new Error('no progress writing a chunk file'), { code: 'EIO' });
  return n;
}

export type ReadResult =
  | { ok: true; header: ChunkHeader; data: EventData; truncated: boolean; size: number }
  | { ok: false; reason: string };

/** Read a chunk file back: its header and its complete frames as event data (paid by no one). */
export function readChunkFile(path: string, whole: Buffer): ReadResult {
  if (whole.length < 12 || !whole.subarray(0, 8).equals(MAGIC)) return { ok: false, reason: 'not a Wren chunk file (bad magic)' };
  const hlen = whole.readUInt32LE(8);
  if (12 + hlen > whole.length) return { ok: false, reason: 'the header is cut short' };
  let header: ChunkHeader;
  try {
    header = JSON.parse(whole.toString('utf8', 12, 12 + hlen)) as ChunkHeader;
  } catch {
    return { ok: false, reason: 'the header is not valid JSON' };
  }
  let at = 12 + hlen;
  const frames: { times: Float64Array; starts: Uint32Array; json: Buffer; count: number }[] = [];
  let truncated = false;
  let totalJson = 0;
  let totalCount = 0;
  while (at < whole.length) {
    if (at + FRAME_HEAD > whole.length) {
      truncated = true;
      break;
    }
    if (whole.readUInt32LE(at) !== FRAME_MAGIC) return { ok: false, reason: `no frame at byte ${at}` };
    const n = whole.readUInt32LE(at + 4);
    const jsonBytes = whole.readUInt32LE(at + 8);
    const sum = whole.readUInt32LE(at + 12);
    const end = at + FRAME_HEAD + n * 12 + jsonBytes;
    if (end > whole.length) {
      truncated = true;
      break;
    }
    const tStart = at + FRAME_HEAD;
    const timesBytes = whole.subarray(tStart, tStart + n * 8);
    const lens = whole.subarray(tStart + n * 8, tStart + n * 12);
    const json = whole.subarray(tStart + n * 12, end);
    if (header.checksum && crc32(json, crc32(lens, crc32(timesBytes))) !== sum) {
      return { ok: false, reason: `checksum mismatch in the frame at byte ${at}` };
    }
    const times = new Float64Array(n);
    Buffer.from(times.buffer).set(timesBytes);
    const starts = new Uint32Array(n + 1);
    let s = 0;
    for (let i = 0; i < n; i++) {
      starts[i] = s;
      s += lens.readUInt32LE(i * 4);
    }
    starts[n] = s;
    if (s !== jsonBytes) return { ok: false, reason: `record lengths do not add up in the frame at byte ${at}` };
    frames.push({ times, starts, json, count: n });
    totalJson += jsonBytes;
    totalCount += n;
    at = end;
  }
  const b = new ChunkBuilder(totalJson, totalCount);
  for (const f of frames) b.append({ buf: f.json, starts: f.starts, times: f.times, count: f.count }, null);
  return { ok: true, header, data: b.seal(), truncated, size: whole.length };
}

/** The header alone (for listing a backlog without reading every file whole). */
export function readChunkHeader(path: string): ChunkHeader | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n < 12 || !head.subarray(0, 8).equals(MAGIC)) return undefined;
    const hlen = head.readUInt32LE(8);
    if (12 + hlen > n) return undefined;
    return JSON.parse(head.toString('utf8', 12, 12 + hlen)) as ChunkHeader;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** node:zlib's crc32: only storage.checksum needs node:zlib, loaded then. */
const zlib = lazyRequire<typeof import('node:zlib')>('node:zlib');
function crc32(data: Uint8Array, value?: number): number {
  return zlib().crc32(data, value);
}
