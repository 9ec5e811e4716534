import type { Dispatcher } from 'undici';
import { monotonicMs } from '../clock.js';
import { inFlight, type Cancellable } from './in-flight.js';

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

/**
 * Send one request through a dispatcher and read the whole answer. Network errors throw (a
 * deadline passed: an error named `TimeoutError`; `signal` aborted: its reason).
 *
 * Straight on undici's dispatch API with one small handler: no response stream, async iterator,
 * AbortSignal.timeout / AbortSignal.any, async resource, timer or abort listener per request (see
 * in-flight.ts). A Firehose output makes hundreds of calls a second, and that machinery cost more
 * CPU per call than the call's own work.
 */
export function send(req: OutgoingRequest, dispatcher: Dispatcher, opts: SendOptions = {}): Promise<IncomingResponse> {
  return new Promise<IncomingResponse>((resolve, reject) => {
    const u = req.url;
    const h = new Collector(resolve, reject, opts);
    if (h.done) return;
    try {
      dispatcher.dispatch({
        origin: u.origin,
        path: u.search ? `${u.pathname}${u.search}` : u.pathname,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
      }, h);
    } catch (err) {
      h.onError(err as Error);
    }
  });
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** undici's (legacy) dispatch handler: collects one answer, with the deadline and the abort signal (watched by inFlight). */
class Collector implements Dispatcher.DispatchHandler, Cancellable {
  done = false;
  readonly deadline: number;
  private abort: ((err: Error) => void) | undefined;
  private reason: Error | undefined;
  private status = 0;
  /** Header names and values in turn, as strings. */
  private raw: string[] = [];
  private chunks: Buffer[] = [];
  private kept = 0;
  private decide = false;
  private skipping = false;

  constructor(
    private readonly resolve: (r: IncomingResponse) => void,
    private readonly reject: (e: Error) => void,
    private readonly opts: SendOptions,
  ) {
    this.deadline = opts.timeoutMs ? monotonicMs() + opts.timeoutMs : Infinity;
    const signal = opts.signal;
    if (signal?.aborted) {
      this.fail((signal.reason as Error | undefined) ?? new Error('aborted'));
      return;
    }
    inFlight.add(this, signal);
  }

  cutShort(why: 'deadline' | 'abort', signal?: AbortSignal): void {
    this.cancel(why === 'deadline' ? new TimeoutError(`no answer within ${this.opts.timeoutMs} ms`) : (signal!.reason as Error | undefined) ?? new Error('aborted'));
  }

  private cancel(err: Error): void {
    if (this.done) return;
    this.reason = err;
    if (this.abort !== undefined) this.abort(err);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.reason !== undefined) abort(this.reason);
    else this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    // strings now (undici's Buffers may be views into bytes it reuses); the object when read
    const raw: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) raw.push(rawHeaders[i]!.toString('latin1'), rawHeaders[i + 1]!.toString('latin1'));
    this.raw = raw;
    this.decide = this.opts.skipBody !== undefined && statusCode < 300;
    return true;
  }

  onData(c: Buffer): boolean {
    if (this.skipping) return true;
    this.chunks.push(c);
    this.kept += c.length;
    if (this.decide && this.kept >= HEAD_BYTES) {
      this.decide = false;
      const head = (this.chunks.length === 1 ? c : Buffer.concat(this.chunks, this.kept)).subarray(0, HEAD_BYTES);
      if (this.opts.skipBody!(head)) {
        this.skipping = true;
        this.chunks = [Buffer.from(head)];
      }
    }
    return true;
  }

  onComplete(): void {
    if (this.done) return;
    this.end();
    this.resolve(new Answer(this.status, this.raw, Buffer.concat(this.chunks)));
  }

  onError(err: Error): void {
    this.fail(this.reason ?? err);
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.end();
    this.reject(err);
  }

  private end(): void {
    this.done = true;
    inFlight.delete(this, this.opts.signal);
  }
}

/**
 * An answer whose headers object is made when first read: the usual answer (a 2xx) is judged by
 * its status and body alone, and making the object (names lower-cased, repeats joined) cost
 * ~10 us of each call in a fresh process.
 */
class Answer implements IncomingResponse {
  private made: IncomingResponse['headers'] | undefined;

  constructor(readonly status: number, private readonly raw: string[], readonly body: Buffer) {}

  get headers(): IncomingResponse['headers'] {
    if (this.made !== undefined) return this.made;
    const headers: IncomingResponse['headers'] = Object.create(null);
    const raw = this.raw;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const k = raw[i]!.toLowerCase();
      const v = raw[i + 1]!;
      const prev = headers[k];
      headers[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return (this.made = headers);
  }
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
