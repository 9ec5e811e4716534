import { ByteWriter, WriterPool } from '../../src/codec/byte-writer.js';
import { writeJsonFormat } from '../../src/codec/json.js';
import type { EventData } from '../../src/engine/event-data.js';
import type { OutgoingRequest } from '../../src/net/request.js';
import { gzip } from '../../src/sink/gzip.js';
import type { HttpConfig } from './config.js';

const CONTENT_TYPE = { json: 'application/json', json_lines: 'application/x-ndjson', json_stream: 'application/json' } as const;

/**
 * Encode a batch and build the (unsigned) request that carries it. With gzip the JSON is written
 * into a pooled buffer, compressed (off the main thread) and the buffer given back at once: what
 * goes on the wire is the compressed copy. Uncompressed, the JSON is its own buffer, sent as is.
 */
export async function buildRequest(cfg: HttpConfig, data: EventData, pool: WriterPool): Promise<OutgoingRequest> {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[cfg.format], 'user-agent': 'wren', ...cfg.headers };
  if (!cfg.gzip) {
    const w = ByteWriter.forBytes(data.buf.length + data.count * 48);
    writeJsonFormat(w, cfg.format, data, cfg.date);
    return { method: 'POST', url: cfg.url, headers, body: w.buf.subarray(0, w.pos) };
  }
  const w = pool.take();
  try {
    writeJsonFormat(w, cfg.format, data, cfg.date);
    headers['content-encoding'] = 'gzip';
    return { method: 'POST', url: cfg.url, headers, body: await gzip(w.buf.subarray(0, w.pos)) };
  } finally {
    pool.give(w);
  }
}
