import type { EventData } from '../../src/engine/event-data.js';
import type { FlushResult } from '../../src/engine/types.js';
import type { DeadLetter } from './dead-letter.js';
import { documentBytes, type EncodedBulk } from './encode.js';
import type { Range } from './batch.js';

/**
 * What one flush has learnt so far, over all its requests: events to retry, documents refused
 * for good (dead letters), and whether to stop sending (the destination asked to back off).
 */
export class FlushState {
  /** Encoded events (k, as in enc.positions) still to deliver. */
  private readonly retryPos: number[] = [];
  readonly dead: DeadLetter[] = [];
  /** Set once a whole request was refused for now (429 / 5xx / network): send nothing more. */
  stopped = false;
  retryReason?: string;
  retryAfterMs?: number;
  private readonly reasons = new Map<string, number>();

  constructor(private readonly enc: EncodedBulk, private readonly tag: string) {}

  retry(pos: number, reason?: string, afterMs?: number): void {
    this.retryPos.push(pos);
    this.retryReason ??= reason;
    if (afterMs !== undefined) this.retryAfterMs = Math.max(this.retryAfterMs ?? 0, afterMs);
  }

  retryRange(r: Range, reason?: string, afterMs?: number): void {
    for (let i = r.from; i < r.to; i++) this.retry(i, reason, afterMs);
  }

  /** Encoded event `pos` is refused for good. */
  fail(pos: number, status: number, reason: string): void {
    this.dead.push({ document: documentBytes(this.enc, pos), index: this.enc.indices[pos]!, status, reason, tag: this.tag, time: this.enc.times[pos]! });
    this.count(status, reason);
  }

  /** Event `pos` of the chunk's data, never encoded: the record is kept as it was buffered. */
  failUnencoded(data: EventData, pos: number, index: string, reason: string): void {
    this.dead.push({ document: Buffer.from(data.json(pos)), index, status: 0, reason, tag: this.tag, time: data.times[pos]! });
    this.count(0, reason);
  }

  private count(status: number, reason: string): void {
    const key = status ? `${status} ${reason}` : reason;
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  /** One line for all refused documents of this flush: the commonest reasons first. */
  dropSummary(destination: string, deadLetterPath?: string): string {
    const kinds = [...this.reasons.entries()].sort((a, b) => b[1] - a[1]);
    const shown = kinds.slice(0, 3).map(([r, n]) => (n > 1 ? `${n}× ${r.slice(0, 300)}` : r.slice(0, 300)));
    const more = kinds.length > 3 ? `; and ${kinds.length - 3} other reason(s)` : '';
    const where = deadLetterPath ? `; written to ${deadLetterPath}` : '; set dead_letter_path to keep them';
    return `${destination} refused ${this.dead.length} document(s) for good: ${shown.join('; ')}${more}${where}`;
  }

  result(destination: string, deadLetterPath?: string): FlushResult {
    const dropped = this.dead.length;
    const dropReason = dropped > 0 ? this.dropSummary(destination, deadLetterPath) : undefined;
    if (this.retryPos.length === 0) return dropped > 0 ? { status: 'ok', dropped, dropReason } : { status: 'ok' };
    const only = this.retryPos.sort((a, b) => a - b).map((p) => this.enc.positions[p]!);
    const reason = `${only.length} record(s) to send again: ${this.retryReason ?? 'not accepted'}`;
    const r: Extract<FlushResult, { status: 'retry' }> = { status: 'retry', reason, only };
    if (this.retryAfterMs !== undefined) r.retryAfterMs = this.retryAfterMs;
    if (dropped > 0) {
      r.dropped = dropped;
      r.dropReason = dropReason;
    }
    return r;
  }
}
