import { gzip as gzipCb } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzipCb);

/**
 * Output is collected in pieces of this size: each piece is a round trip from the thread pool
 * to the main thread, so bodies of megabytes want large pieces (16 KiB, zlib's default, meant
 * a dozen round trips per request).
 */
const CHUNK = 256 * 1024;

/** Gzip off the main thread (libuv's pool), so compression uses the other core. */
export function gzip(data: string | Uint8Array, level = 6): Promise<Buffer> {
  return gzipAsync(typeof data === 'string' ? Buffer.from(data) : data, { level, chunkSize: CHUNK });
}
