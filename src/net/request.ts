import type { Dispatcher } from 'undici';
import { request } from './undici.js';

/** A request as built by an output, before signing. Signing adds headers; the body is sent as is. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

export interface IncomingResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SendOptions {
  /** Whole-request deadline (connect + headers + body), ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Called with the first HEAD_BYTES of a 2xx answer (or all of a shorter one): true when the
   * rest is not needed (an OpenSearch `_bulk` answer without errors, a PutRecordBatch without
   * failures). The rest is then read and dropped rather than kept and joined: a `_bulk` answer
   * runs to hundreds of bytes per document, and these copies, held across an await, reached the
   * old generation and stayed until a full collection (8 MB at tail → opensearch's peak RSS).
   * The answer's body is then only that head.
   */
  skipBody?: (head: Buffer) => boolean;
}

/** What `skipBody` is shown. */
export const HEAD_BYTES = 256;

/** Send one request through a dispatcher and read the whole answer. Network errors throw. */
export async function send(req: OutgoingRequest, dispatcher: Dispatcher, opts: SendOptions = {}): Promise<IncomingResponse> {
  const signals: AbortSignal[] = [];
  if (opts.signal) signals.push(opts.signal);
  if (opts.timeoutMs) signals.push(AbortSignal.timeout(opts.timeoutMs));
  const res = await request(req.url, {
    method: req.method as Dispatcher.HttpMethod,
    headers: req.headers,
    body: req.body,
    dispatcher,
    signal: signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals),
  });
  const status = res.statusCode;
  let chunks: Buffer[] = [];
  let kept = 0;
  let decide = opts.skipBody !== undefined && status >= 200 && status < 300;
  let skipping = false;
  for await (const c of res.body) {
    if (skipping) continue;
    chunks.push(c as Buffer);
    kept += (c as Buffer).length;
    if (decide && kept >= HEAD_BYTES) {
      decide = false;
      const head = Buffer.concat(chunks, kept).subarray(0, HEAD_BYTES);
      if (opts.skipBody!(head)) {
        skipping = true;
        chunks = [Buffer.from(head)];
      }
    }
  }
  const body = Buffer.concat(chunks);
  return { status, headers: res.headers, body };
}

/** A header's value as one string. */
export function headerValue(headers: IncomingResponse['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(headers: IncomingResponse['headers'], now = Date.now()): number | undefined {
  const v = headerValue(headers, 'retry-after');
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
