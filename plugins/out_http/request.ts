import { encodeJsonFormat } from '../../src/codec/format.js';
import type { LogEvent } from '../../src/engine/types.js';
import type { OutgoingRequest } from '../../src/net/request.js';
import { gzip } from '../../src/sink/gzip.js';
import type { HttpConfig } from './config.js';

const CONTENT_TYPE = { json: 'application/json', json_lines: 'application/x-ndjson', json_stream: 'application/json' } as const;

/** Encode a batch and build the (unsigned) request that carries it. */
export async function buildRequest(cfg: HttpConfig, events: readonly LogEvent[]): Promise<OutgoingRequest> {
  const text = encodeJsonFormat(cfg.format, events, cfg.date);
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[cfg.format], 'user-agent': 'wren', ...cfg.headers };
  let body: Uint8Array | string = text;
  if (cfg.gzip) {
    body = await gzip(text);
    headers['content-encoding'] = 'gzip';
  }
  return { method: 'POST', url: cfg.url, headers, body };
}
