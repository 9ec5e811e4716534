import type { FlushResult, PluginMetrics } from '../../engine/types.js';
import type { Units } from './units.js';

/**
 * What one flush has learnt over its calls: units to send again, units dropped for good, the
 * partition keys that failed (their later records wait), and whether to stop sending (the
 * service asked to back off). `result()` turns it into the FlushResult: a retry names only the
 * chunk positions still to deliver.
 */
export class PutFlushState {
  stopped = false;
  readonly failedKeys = new Set<string>();
  private readonly retryUnits: number[] = [];
  private reason?: string;
  private retryAfterMs?: number;
  private droppedRecords = 0;
  private readonly dropReasons: string[] = [];

  constructor(private readonly units: Units, private readonly metrics: PluginMetrics, private readonly what: string) {}

  private records(idx: readonly number[]): number {
    let n = 0;
    for (const u of idx) n += this.units.to[u]! - this.units.from[u]!;
    return n;
  }

  delivered(idx: readonly number[]): void {
    if (idx.length > 0) this.metrics.add('records_sent', this.records(idx));
  }

  retryUnit(u: number): void {
    this.retryUnits.push(u);
  }

  /** Units to send again; `stop`: send nothing more in this flush. */
  retryAll(idx: readonly number[], reason?: string, afterMs?: number, stop = false): void {
    for (const u of idx) {
      this.retryUnits.push(u);
      this.failedKeys.add(this.units.keys[u]!);
    }
    if (reason !== undefined) this.reason ??= reason;
    if (afterMs !== undefined) this.retryAfterMs = Math.max(this.retryAfterMs ?? 0, afterMs);
    if (stop) this.stopped = true;
    if (idx.length > 0) this.metrics.add('retried_records', this.records(idx));
  }

  dropUnits(idx: readonly number[], reason: string): void {
    const n = this.records(idx);
    this.droppedRecords += n;
    this.metrics.add('dropped_refused', n);
    this.dropReasons.push(`${n} refused: ${reason}`);
  }

  result(): FlushResult {
    const t = this.units.tally;
    const parts = [...this.dropReasons];
    let dropped = this.droppedRecords;
    const count = (n: number, counter: string, text: string) => {
      if (n <= 0) return;
      dropped += n;
      this.metrics.add(counter, n);
      parts.push(`${n} ${text}`);
    };
    count(t.missingKey, 'dropped_no_log_key', 'without log_key');
    count(t.empty, 'dropped_empty', 'empty (nothing to send)');
    count(t.unencodable, 'dropped_unencodable', 'that cannot be written as JSON');
    count(t.tooLarge, 'dropped_too_large', `over the record size limit (largest ${t.largest} bytes; Fluent Bit drops these too)`);
    const dropReason = parts.length > 0 ? `${this.what} will not take them: ${parts.join('; ')}` : undefined;
    if (this.retryUnits.length === 0) return dropped > 0 ? { status: 'ok', dropped, dropReason } : { status: 'ok' };
    const only: number[] = [];
    const u = this.units;
    const sorted = [...new Set(this.retryUnits)].sort((a, b) => a - b);
    for (const x of sorted) for (let k = u.from[x]!; k < u.to[x]!; k++) only.push(u.positions[k]!);
    const r: Extract<FlushResult, { status: 'retry' }> = { status: 'retry', reason: `${only.length} record(s) to send again: ${this.reason ?? 'held back behind a failed record of the same partition key'}`, only };
    if (this.retryAfterMs !== undefined) r.retryAfterMs = this.retryAfterMs;
    if (dropped > 0) {
      r.dropped = dropped;
      r.dropReason = dropReason;
    }
    return r;
  }
}
