import { bareErrorType, errorInfo, parseJsonObject } from '../../src/aws/json-errors.js';
import { retryAfterMs, type IncomingResponse } from '../../src/net/request.js';

export { bareErrorType, errorInfo };
import type { Operation } from './request.js';

/** Events of one PutLogEvents call the service answered it would not keep (`rejectedLogEventsInfo`). */
export interface Rejected {
  tooOld: number;
  expired: number;
  tooNew: number;
  total: number;
}

/** The verdict on one CloudWatch Logs call. */
export type Verdict =
  | { kind: 'ok'; rejected?: Rejected }
  | { kind: 'not_found'; reason: string }
  | { kind: 'exists' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'drop'; reason: string };

/** Error types worth another try later: throttling, service faults, and credential or permission
 * refusals (the fix is outside Wren; retrying keeps the records until it is made). */
const RETRY_TYPES = new Set([
  'ThrottlingException', 'ServiceUnavailableException', 'InternalFailure', 'InternalServerError', 'ServiceUnavailable',
  'OperationAbortedException', 'LimitExceededException', 'RequestTimeout', 'RequestTimeoutException',
  'ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignature',
  'InvalidClientTokenId', 'SignatureDoesNotMatch', 'MissingAuthenticationToken', 'AccessDeniedException', 'RequestTimeTooSkewed',
  'InvalidSequenceTokenException',
]);

const CREDENTIAL_TYPES = new Set(['ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidSignatureException',
  'IncompleteSignature', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'MissingAuthenticationToken', 'RequestTimeTooSkewed']);

function parseBody(body: Buffer): Record<string, unknown> | undefined {
  return parseJsonObject(body);
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/**
 * `rejectedLogEventsInfo` of a batch of `n` events: too old / expired are the events up to an end
 * index (both count from the start, so they overlap), too new the events from a start index.
 */
export function rejectedCount(info: unknown, n: number): Rejected | undefined {
  if (info === null || typeof info !== 'object') return undefined;
  const r = info as Record<string, unknown>;
  const oldEnd = int(r.tooOldLogEventEndIndex);
  const expiredEnd = int(r.expiredLogEventEndIndex);
  const newStart = int(r.tooNewLogEventStartIndex);
  const tooOld = oldEnd === undefined ? 0 : Math.min(oldEnd + 1, n);
  const expired = expiredEnd === undefined ? 0 : Math.min(expiredEnd + 1, n);
  const head = Math.max(tooOld, expired);
  const tooNew = newStart === undefined ? 0 : Math.max(0, n - Math.max(newStart, head));
  const total = head + tooNew;
  return total > 0 ? { tooOld, expired, tooNew, total } : undefined;
}

/** Classify the answer to one call; `n` is the number of events a PutLogEvents call carried. */
export function classify(res: IncomingResponse, op: Operation, n = 0): Verdict {
  const s = res.status;
  if (s >= 200 && s < 300) {
    if (op !== 'PutLogEvents') return { kind: 'ok' };
    const rejected = rejectedCount(parseBody(res.body)?.rejectedLogEventsInfo, n);
    return rejected ? { kind: 'ok', rejected } : { kind: 'ok' };
  }
  const { type, message } = errorInfo(res);
  const reason = `CloudWatch Logs ${op} answered ${s}${type ? ' ' + type : ''}${message ? ': ' + message : ''}`;
  switch (type) {
    case 'ResourceNotFoundException':
      return { kind: 'not_found', reason };
    case 'ResourceAlreadyExistsException':
      return { kind: 'exists' };
    case 'DataAlreadyAcceptedException':
      // the old sequence-token answer: these events are stored already
      return op === 'PutLogEvents' ? { kind: 'ok' } : { kind: 'exists' };
  }
  if ((type && RETRY_TYPES.has(type)) || s === 408 || s === 429 || s >= 500) {
    const hint = type === 'AccessDeniedException' ? ` (grant logs:${op} to the role Wren uses)`
      : type && CREDENTIAL_TYPES.has(type) ? ' (credentials were refreshed once and still refused; check the credential chain and the clock)' : '';
    return { kind: 'retry', reason: reason + hint, retryAfterMs: retryAfterMs(res.headers) };
  }
  return { kind: 'drop', reason };
}
