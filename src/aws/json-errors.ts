import { headerValue, type IncomingResponse } from '../net/request.js';
import { excerpt } from '../redact.js';
import { bodySnippet } from '../sink/send.js';

/**
 * Errors of the AWS JSON protocols (CloudWatch Logs, Firehose, Kinesis): HTTP 4xx/5xx with
 * `{"__type":"ThrottlingException","message":"…"}`; the type may come namespaced
 * (`com.amazonaws.logs#ThrottlingException`) and in the `x-amzn-ErrorType` header
 * (`ThrottlingException:http://internal…`).
 */
export interface ErrorInfo {
  type?: string;
  message?: string;
}

/** `com.amazonaws.logs#ThrottlingException` or `ThrottlingException:http://internal…` → `ThrottlingException`. */
export function bareErrorType(raw: string): string {
  let t = raw.trim();
  const hash = t.lastIndexOf('#');
  if (hash >= 0) t = t.slice(hash + 1);
  const colon = t.indexOf(':');
  if (colon >= 0) t = t.slice(0, colon);
  return t;
}

/** A JSON object body, or undefined. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** The error type (from `x-amzn-ErrorType` or the body's `__type` / `code`) and message of an answer. */
export function errorInfo(res: IncomingResponse): ErrorInfo {
  const json = parseJsonObject(res.body);
  const raw = headerValue(res.headers, 'x-amzn-errortype') ?? str(json?.__type) ?? str(json?.code) ?? str(json?.Code);
  const said = str(json?.message) ?? str(json?.Message);
  // what a service says is echoed in logs: redacted and capped like every other printed text
  const message = said !== undefined ? excerpt(said, 300) : json ? undefined : bodySnippet(res.body, 200) || undefined;
  return { type: raw ? bareErrorType(raw) : undefined, message };
}

/** Error types that say the credentials (or the clock) were refused. */
export const CREDENTIAL_ERROR_TYPES: ReadonlySet<string> = new Set(['ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException',
  'InvalidSignatureException', 'IncompleteSignature', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'MissingAuthenticationToken',
  'MissingAuthenticationTokenException', 'RequestTimeTooSkewed']);
