import { retryAfterMs, type IncomingResponse } from '../../src/net/request.js';
import { bodySnippet } from '../../src/sink/send.js';
import { excerpt } from '../../src/redact.js';

/**
 * What a `_bulk` answer means for the events of the request, item by item:
 * - 2xx done; 409 on `create` is a duplicate (already stored), done;
 * - 429 and 5xx items (and a 409 version conflict on update) are retried alone;
 * - other 4xx items (mapping errors) are refused for good: dead-lettered and counted.
 * Whole-request answers: 413 splits the request; 408 / 429 / 5xx and 401 / 403 retry it (a
 * permissions fix is out of band; dropping would lose the data); other 4xx refuse it.
 */
export type BulkVerdict =
  | { kind: 'items'; retry: number[]; failed: ItemFailure[]; retryReason?: string }
  | { kind: 'too-large'; reason: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'refused'; status: number; reason: string };

/** A refused item: its position in the request, and why. */
export interface ItemFailure {
  pos: number;
  status: number;
  /** `mapper_parsing_exception: failed to parse field [x] …`. */
  reason: string;
}

interface BulkItem {
  status?: number;
  error?: unknown;
}

function errorText(e: unknown, depth = 0): string {
  if (typeof e === 'string') return excerpt(e, 300);
  if (e === null || typeof e !== 'object') return 'no reason given';
  const o = e as { type?: unknown; reason?: unknown; caused_by?: unknown };
  let text = excerpt([o.type, o.reason].filter((x) => typeof x === 'string').join(': ') || JSON.stringify(e), 300);
  if (o.caused_by !== undefined && o.caused_by !== null && depth < 3) text += ` (caused by ${errorText(o.caused_by, depth + 1)})`;
  return text;
}

const NO_ERRORS = /^\s*\{[^[]{0,200}?"errors"\s*:\s*false/;

/** Does the start of a `_bulk` answer say that no item failed (the item list is then not needed)? */
export function bulkHeadSaysNoErrors(head: Buffer): boolean {
  return NO_ERRORS.test(head.toString('latin1', 0, 256));
}

/** `count`: events in the request; `what`: the destination, for reasons. */
export function classifyBulk(res: IncomingResponse, count: number, what: string): BulkVerdict {
  const s = res.status;
  const answered = () => `${what} answered ${s}${res.body.length ? ': ' + bodySnippet(res.body, 300) : ''}`;
  if (s === 413) return { kind: 'too-large', reason: answered() };
  if (s === 408 || s === 429 || s >= 500) return { kind: 'retry', reason: answered(), retryAfterMs: retryAfterMs(res.headers) };
  if (s === 401 || s === 403) return { kind: 'retry', reason: `${answered()} (check the credentials and the domain's access policy / role mapping)` };
  if (s < 200 || s >= 300) return { kind: 'refused', status: s, reason: answered() };

  // The usual answer: no item failed. Seen in the first bytes; the item list is not parsed.
  if (bulkHeadSaysNoErrors(res.body)) return { kind: 'items', retry: [], failed: [] };

  let items: unknown;
  try {
    items = (JSON.parse(res.body.toString('utf8')) as { items?: unknown }).items;
  } catch {
    items = undefined;
  }
  if (!Array.isArray(items)) {
    return { kind: 'retry', reason: `${what} answered ${s} without a readable item list: ${bodySnippet(res.body, 200) || '(empty)'}` };
  }
  const retry: number[] = [];
  const failed: ItemFailure[] = [];
  let retryReason: string | undefined;
  const n = Math.min(items.length, count);
  for (let pos = 0; pos < n; pos++) {
    const wrapper = items[pos] as Record<string, BulkItem> | null;
    let op = '';
    let item: BulkItem | undefined;
    if (wrapper !== null && typeof wrapper === 'object') {
      for (const k in wrapper) {
        op = k;
        item = wrapper[k];
        break;
      }
    }
    const st = typeof item?.status === 'number' ? item.status : 0;
    if (st >= 200 && st < 300) continue;
    if (st === 409 && op === 'create') continue; // already stored: a duplicate of an earlier send
    if (st === 0 || st === 408 || st === 429 || st === 409 || st >= 500) {
      retry.push(pos);
      retryReason ??= `item ${st || 'without status'}: ${errorText(item?.error)}`;
      continue;
    }
    failed.push({ pos, status: st, reason: errorText(item?.error) });
  }
  for (let pos = n; pos < count; pos++) retry.push(pos); // no answer for these: send again
  if (items.length < count) retryReason ??= `${what} answered ${items.length} items for ${count} actions`;
  return { kind: 'items', retry, failed, retryReason };
}
