import type { Dispatcher } from 'undici';
import { errorLine } from '../errors.js';
import { excerpt } from '../redact.js';
import { headerValue, retryAfterMs, send, type IncomingResponse, type OutgoingRequest } from '../net/request.js';
import type { FlushResult } from '../engine/types.js';

/**
 * The shared sink path of the network outputs (http, opensearch, cloudwatch_logs):
 *   build request → sign → send → classify.
 * This file holds the sign-and-send step; each output builds its own request and classifies the
 * answer with its own rules (falling back on `classifyStatus`).
 */

/** Signs a built request just before it is sent (SigV4). */
export interface RequestSigner {
  /**
   * A signed copy of `req`; `req` itself is not changed (after a refresh, signAndSend signs the
   * same request again, which must not carry the first signature's headers).
   */
  sign(req: OutgoingRequest): Promise<OutgoingRequest>;
  /** sign() without waiting when it can (the credentials at hand), else undefined. */
  signNow?(req: OutgoingRequest): OutgoingRequest | undefined;
  /** Force new credentials (after the destination refused the current ones). */
  refresh(): Promise<void>;
}

export interface SendContext {
  dispatcher: Dispatcher;
  /** Whole-request deadline in ms. */
  timeoutMs: number;
  signer?: RequestSigner;
  signal?: AbortSignal;
  /** Called when a request is re-signed after a refresh (for metrics / logs). */
  onRefresh?: (reason: string) => void;
  /**
   * After a network error, send the request once more at once (re-signed) before failing
   * (Fluent Bit's `auto_retry_requests`). `onAutoRetry` hears about it.
   */
  autoRetry?: boolean;
  onAutoRetry?: (reason: string) => void;
  /** See SendOptions.skipBody: the rest of a 2xx answer is not kept when its head says so. */
  skipBody?: (head: Buffer) => boolean;
}

/** A network failure, as a retry with a one-line reason. `network`: the request may not have arrived (not a signing failure). */
export class SendError extends Error {
  network = false;
}

/**
 * Sign (if a signer is set), send, and when the answer says the credentials were expired or
 * invalid, refresh them once and re-sign and re-send the same request. After a network error,
 * with autoRetry, the request is sent once more at once (and once more after a refresh).
 * Network errors throw SendError with a one-line reason.
 *
 * One async function around sendOnce (which signs without waiting when it can): a Firehose
 * output makes ~600 calls where OpenSearch makes 45, and each await a call went through was a
 * microtask of CPU in a fresh process.
 */
export async function signAndSend(req: OutgoingRequest, ctx: SendContext): Promise<IncomingResponse> {
  let refreshed = false;
  let retried = false;
  for (;;) {
    let res: IncomingResponse;
    try {
      res = await sendOnce(req, ctx);
    } catch (err) {
      if (retried || !ctx.autoRetry || !(err instanceof SendError) || !err.network || ctx.signal?.aborted) throw err;
      retried = true;
      ctx.onAutoRetry?.(err.message);
      continue;
    }
    if (refreshed || !ctx.signer || !isCredentialRefusal(res)) return res;
    const reason = `${res.status} ${bodySnippet(res.body, 120)}`;
    ctx.onRefresh?.(reason);
    try {
      await ctx.signer.refresh();
    } catch (err) {
      throw new SendError(`credentials refused (${reason}) and refreshing them failed: ${errorLine(err)}`, { cause: err });
    }
    refreshed = true;
    retried = false;
  }
}

function sendOnce(req: OutgoingRequest, ctx: SendContext): Promise<IncomingResponse> {
  const signer = ctx.signer;
  if (signer === undefined) return transmit(req, req, ctx);
  let signed: OutgoingRequest | undefined;
  try {
    signed = signer.signNow?.(req);
  } catch (err) {
    return Promise.reject(signingError(err));
  }
  if (signed !== undefined) return transmit(req, signed, ctx);
  return signer.sign(req).then((s) => transmit(req, s, ctx), (err: unknown) => {
    throw signingError(err);
  });
}

function signingError(err: unknown): SendError {
  return new SendError(`cannot sign the request: ${errorLine(err)}`, { cause: err });
}

function transmit(req: OutgoingRequest, signed: OutgoingRequest, ctx: SendContext): Promise<IncomingResponse> {
  return send(signed, ctx.dispatcher, { timeoutMs: ctx.timeoutMs, signal: ctx.signal, skipBody: ctx.skipBody }).catch((err: unknown) => {
    const e = new SendError(`${req.method} ${req.url.origin}${req.url.pathname} failed: ${networkReason(err, ctx.timeoutMs)}`, { cause: err });
    e.network = true;
    throw e;
  });
}

function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = e.code ?? e.cause?.code;
  const msg = errorLine(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/**
 * 401, or 403 that says the token expired or the signature / key was not accepted: worth one
 * refresh of the credentials before counting a retry.
 */
export function isCredentialRefusal(res: IncomingResponse): boolean {
  if (res.status === 401) return true;
  if (res.status !== 403 && res.status !== 400) return false;
  const type = headerValue(res.headers, 'x-amzn-errortype') ?? '';
  const text = type + ' ' + res.body.subarray(0, 2048).toString('utf8');
  return /expired|ExpiredToken|InvalidClientTokenId|UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch|security token included in the request is invalid|signature we calculated does not match/i.test(text);
}

/** The generic verdict on an HTTP answer: 2xx ok; 408, 429, 5xx retry; other 4xx drop. */
export function classifyStatus(res: IncomingResponse, what: string): FlushResult {
  const s = res.status;
  if (s >= 200 && s < 300) return { status: 'ok' };
  const reason = `${what} answered ${s}${res.body.length ? ': ' + bodySnippet(res.body, 300) : ''}`;
  if (s === 408 || s === 429 || s >= 500) return { status: 'retry', reason, retryAfterMs: retryAfterMs(res.headers) };
  return { status: 'drop', reason };
}

/** The start of a response body on one line, for logs: redacted (an echoed request carries its credentials), capped. */
export function bodySnippet(body: Buffer, max: number): string {
  return excerpt(body, max);
}
