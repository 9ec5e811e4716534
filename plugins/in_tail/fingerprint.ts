import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FileHandle } from 'node:fs/promises';
import { sha1Hex } from '../../src/codec/sha1.js';

/**
 * What identifies a file's content, besides its inode:
 *
 * - the head: a hash of its first bytes (up to HEAD_BYTES; fewer while the file is shorter, and
 *   re-taken as it grows). Vector's approach: a rotated copy (copytruncate) carries the head of
 *   the content Wren was reading; a truncated and rewritten original, or a new file that got a
 *   reused inode, does not. A file shorter than a saved head cannot hold that content.
 * - Fluent Bit 5.1's offset marker: XXH3-64 of the (up to) 32 bytes before the saved offset. It is
 *   written for Fluent Bit (so a roll-back gets the same protection) and checked on resume.
 */
export const HEAD_BYTES = 1024;
export const MARKER_BYTES = 32;

export interface Head {
  /** Bytes hashed (≤ HEAD_BYTES). */
  len: number;
  /** sha1 of those bytes, hex. */
  hash: string;
}

export interface Marker {
  value: bigint;
  /** Bytes hashed; 0 means no marker (an offset of 0), which Fluent Bit takes as "no check". */
  size: number;
}

export const NO_MARKER: Marker = { value: 0n, size: 0 };

async function readAt(handle: FileHandle, len: number, position: number): Promise<Buffer | null> {
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await handle.read(buf, got, len - got, position + got);
    if (bytesRead === 0) return null;
    got += bytesRead;
  }
  return buf;
}

/** The head of a file of `size` bytes (null for an empty file or a failed read). */
export async function readHead(handle: FileHandle, size: number): Promise<Head | null> {
  const len = Math.min(size, HEAD_BYTES);
  if (len <= 0) return null;
  const buf = await readAt(handle, len, 0).catch(() => null);
  return buf === null ? null : { len, hash: sha1Hex(buf) };
}

/** Whether the file (of `size` bytes) starts with the content `head` was taken from. */
export async function headMatches(handle: FileHandle, size: number, head: Head): Promise<boolean> {
  if (size < head.len) return false;
  const buf = await readAt(handle, head.len, 0).catch(() => null);
  return buf !== null && sha1Hex(buf) === head.hash;
}

export type Xxh3 = (bytes: Uint8Array) => bigint;
let xxh3Loading: Promise<Xxh3> | null = null;

/** XXH3-64 (hash-wasm's WebAssembly build of it only, not the whole library), loaded on first use. */
export function loadXxh3(): Promise<Xxh3> {
  xxh3Loading ??= (async () => {
    const require = createRequire(import.meta.url);
    type Hasher = { init(): Hasher; update(b: Uint8Array): Hasher; digest(f: 'hex'): string };
    const mod = require('hash-wasm/dist/xxhash3.umd.min.js') as { createXXHash3: () => Promise<Hasher> };
    const h = await mod.createXXHash3();
    return (bytes: Uint8Array) => BigInt(`0x${h.init().update(bytes).digest('hex')}`);
  })();
  return xxh3Loading;
}

/** Fluent Bit's marker for `offset` in the open file; NO_MARKER when the bytes cannot be read. */
export async function markerAt(handle: FileHandle, offset: number, xxh3: Xxh3): Promise<Marker> {
  const size = Math.min(offset, MARKER_BYTES);
  if (size <= 0) return NO_MARKER;
  const buf = await readAt(handle, size, offset - size).catch(() => null);
  return buf === null ? NO_MARKER : { value: xxh3(buf), size };
}

/** The marker for `offset` in the file at `path`, if it is still inode `ino` (synchronous; shutdown only). */
export function markerAtPathSync(path: string, ino: bigint, offset: number, xxh3: Xxh3): Marker {
  const size = Math.min(offset, MARKER_BYTES);
  if (size <= 0) return NO_MARKER;
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    if (fstatSync(fd, { bigint: true }).ino !== ino) return NO_MARKER;
    const buf = Buffer.allocUnsafe(size);
    return readSync(fd, buf, 0, size, offset - size) === size ? { value: xxh3(buf), size } : NO_MARKER;
  } catch {
    return NO_MARKER;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Whether the bytes before `offset` still hash to `marker` (no marker: nothing to contradict). */
export async function markerMatches(handle: FileHandle, offset: number, marker: Marker, xxh3: Xxh3): Promise<boolean> {
  if (marker.size === 0 || offset <= 0) return true;
  if (marker.size !== Math.min(offset, MARKER_BYTES)) return false;
  const now = await markerAt(handle, offset, xxh3);
  return now.size === marker.size && now.value === marker.value;
}
