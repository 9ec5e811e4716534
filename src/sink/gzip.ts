import { gzip as gzipCb } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzipCb);

/** Gzip off the main thread (libuv's pool), so compression uses the other core. */
export function gzip(data: string | Uint8Array, level = 6): Promise<Buffer> {
  return gzipAsync(typeof data === 'string' ? Buffer.from(data) : data, { level });
}
