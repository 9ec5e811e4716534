import type { OutgoingRequest } from '../../src/net/request.js';
import { gzip } from '../../src/sink/gzip.js';
import type { OpenSearchConfig } from './config.js';

/**
 * The (unsigned) `_bulk` request for a slice of NDJSON. Compression runs on libuv's thread pool
 * (async zlib), so it overlaps the encoding of the next chunk on the main thread.
 */
export async function buildBulkRequest(cfg: OpenSearchConfig, ndjson: Buffer): Promise<OutgoingRequest> {
  const headers: Record<string, string> = { ...cfg.headers };
  let body: Buffer = ndjson;
  if (cfg.gzip) {
    body = await gzip(ndjson, cfg.gzipLevel);
    headers['content-encoding'] = 'gzip';
  }
  return { method: 'POST', url: cfg.url, headers, body };
}
