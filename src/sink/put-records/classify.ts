import { CREDENTIAL_ERROR_TYPES, errorInfo, parseJsonObject } from '../../aws/json-errors.js';
import { retryAfterMs, type IncomingResponse } from '../../net/request.js';
import { bodySnippet } from '../send.js';
import type { StreamService } from './service.js';

/**
 * The verdict on one PutRecordBatch / PutRecords answer:
 * - 200 with `FailedPutCount` / `FailedRecordCount` 0: every record is in;
 * - 200 with failures: `RequestResponses` / `Records` say which (an `ErrorCode` on the entry, in
 *   request order): only those are sent again;
 * - 413: the call is cut in halves;
 * - throttling, service faults (5xx), credentials, permissions, a missing stream: the whole call
 *   is tried again later (the fix may be out of band: dropping would lose the records);
 * - other 4xx (a malformed call, which Wren should never make): the call's records are dropped.
 */
export type PutVerdict =
  | { kind: 'ok' }
  | { kind: 'partial'; failed: number[]; reason: string; throttled: boolean }
  | { kind: 'too-large'; reason: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number; throttled: boolean }
  | { kind: 'drop'; reason: string };

const RETRY_TYPES = new Set(['InternalFailure', 'InternalFailureException', 'InternalServerError', 'ServiceUnavailable', 'ServiceUnavailableException',
  'ResourceNotFoundException', 'ResourceInUseException', 'AccessDeniedException', 'KMSAccessDeniedException', 'KMSDisabledException',
  'KMSInvalidStateException', 'KMSNotFoundException', 'KMSOptInRequired', 'InvalidKMSResourceException', 'RequestTimeout', 'RequestTimeoutException']);

export function classifyPut(res: IncomingResponse, svc: StreamService, n: number, what: string): PutVerdict {
  const s = res.status;
  if (s >= 200 && s < 300) return classifyResults(res, svc, n, what);
  const { type, message } = errorInfo(res);
  const reason = `${what} answered ${s}${type ? ' ' + type : ''}${message ? ': ' + message : ''}`;
  if (s === 413) return { kind: 'too-large', reason };
  const throttled = type !== undefined && svc.throttleTypes.has(type);
  if (throttled || (type !== undefined && (RETRY_TYPES.has(type) || CREDENTIAL_ERROR_TYPES.has(type))) || s === 408 || s === 429 || s >= 500) {
    let hint = '';
    if (type === 'AccessDeniedException') hint = ` (grant ${svc.action} on it to the role Wren uses)`;
    else if (type === 'ResourceNotFoundException') hint = ` (create the ${svc.what}, or fix the name; records are kept and retried)`;
    else if (type !== undefined && CREDENTIAL_ERROR_TYPES.has(type)) hint = ' (credentials were refreshed once and still refused; check the credential chain and the clock)';
    return { kind: 'retry', reason: reason + hint, retryAfterMs: retryAfterMs(res.headers), throttled: throttled || s === 429 };
  }
  return { kind: 'drop', reason };
}

/** Does the start of an answer say that no record failed (the result list is then not needed)? */
export function headSaysNoFailures(svc: StreamService, head: Buffer): boolean {
  return head.toString('latin1', 0, 64).includes(`"${svc.failedCountField}":0`);
}

function classifyResults(res: IncomingResponse, svc: StreamService, n: number, what: string): PutVerdict {
  // the usual answer: nothing failed; seen without parsing the (long) result list
  if (headSaysNoFailures(svc, res.body)) return { kind: 'ok' };
  const json = parseJsonObject(res.body);
  const failedCount = json?.[svc.failedCountField];
  if (failedCount === 0) return { kind: 'ok' };
  const results = json?.[svc.resultsField];
  if (typeof failedCount !== 'number' || !Array.isArray(results)) {
    return { kind: 'retry', reason: `${what} answered 200 without ${svc.failedCountField}: ${bodySnippet(res.body, 200) || '(empty)'}`, throttled: false };
  }
  const failed: number[] = [];
  let first: string | undefined;
  let throttled = false;
  const codes = new Map<string, number>();
  for (let i = 0; i < Math.min(results.length, n); i++) {
    const r = results[i] as { ErrorCode?: unknown; ErrorMessage?: unknown } | null;
    const code = r && typeof r.ErrorCode === 'string' ? r.ErrorCode : undefined;
    if (code === undefined) continue;
    failed.push(i);
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (svc.throttleTypes.has(code)) throttled = true;
    first ??= `${code}${typeof r!.ErrorMessage === 'string' ? ': ' + r!.ErrorMessage : ''}`;
  }
  for (let i = results.length; i < n; i++) failed.push(i); // no answer for these: send again
  if (failed.length === 0) return { kind: 'ok' };
  const kinds = [...codes].map(([c, k]) => `${k}× ${c}`).join(', ');
  return { kind: 'partial', failed, throttled, reason: `${what}: ${failed.length} of ${n} records failed (${kinds || 'no result'}${first ? '; first: ' + first : ''})` };
}
