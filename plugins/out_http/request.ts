import type { WriterPool } from '../../src/codec/byte-writer.js';
import { writeJsonFormat } from '../../src/codec/json.js';
import type { EventData } from '../../src/engine/event-data.js';
import type { OutgoingRequest } from '../../src/net/request.js';
import { gzip } from '../../src/sink/gzip.js';
import type { HttpConfig } from './config.js';

const CONTENT_TYPE = { json: 'application/json', json_lines: 'application/x-ndjson', json_stream: 'application/json' } as const;

/**
 * Encode a batch and build the (unsigned) request that carries it, its JSON written into a
 * pooled buffer sized for the chunk. With gzip the buffer is given back at once (what goes on
 * the wire is the compressed copy). Uncompressed, the buffer is the body: `release` gives it back
 * once the answer has been read. By then Node has taken the whole body from it, or the answer
 * came first and what is left of the body is for a request already answered: either way the next
 * chunk may be written into it. (Before, each attempt made a new buffer of the chunk's size; in an
 * outage, retries of 2 MB chunks several times a second left freed megabytes in the C heap.)
 */
export async function buildRequest(cfg: HttpConfig, data: EventData, pool: WriterPool): Promise<{ req: OutgoingRequest; release: () => void }> {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[cfg.format], 'user-agent': 'wren', ...cfg.headers };
  const recordBytes = data.starts[data.count]! - data.starts[0]!;
  const w = pool.forRecords(recordBytes, data.count);
  let given = false;
  const release = () => {
    if (!given) pool.give(w);
    given = true;
  };
  try {
    writeJsonFormat(w, cfg.format, data, cfg.date);
    pool.learn(w, recordBytes, data.count);
    if (!cfg.gzip) return { req: { method: 'POST', url: cfg.url, headers, body: w.buf.subarray(0, w.pos) }, release };
    headers['content-encoding'] = 'gzip';
    const body = await gzip(w.buf.subarray(0, w.pos));
    return { req: { method: 'POST', url: cfg.url, headers, body }, release: () => {} };
  } finally {
    if (cfg.gzip) release();
  }
}
