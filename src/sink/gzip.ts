import { promisify } from 'node:util';
import { lazyRequire } from '../lazy-require.js';

/**
 * Output is collected in pieces of this size: each piece is a round trip from the thread pool
 * to the main thread, so bodies of megabytes want large pieces (16 KiB, zlib's default, meant
 * a dozen round trips per request).
 */
const CHUNK = 256 * 1024;

/** node:zlib loads with the first body to compress: an output without compression never loads it. */
const zlib = lazyRequire<typeof import('node:zlib')>('node:zlib');
let gzipAsync: ((data: Uint8Array, o: { level: number; chunkSize: number }) => Promise<Buffer>) | undefined;

/** Gzip off the main thread (libuv's pool), so compression uses the other core. */
export function gzip(data: string | Uint8Array, level = 6): Promise<Buffer> {
  gzipAsync ??= promisify(zlib().gzip);
  return gzipAsync(typeof data === 'string' ? Buffer.from(data) : data, { level, chunkSize: CHUNK });
}
