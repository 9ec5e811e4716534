import type { FlushResult, PluginMetrics } from '../../src/engine/types.js';
import type { Plan, PutBatch } from './batch.js';
import type { Rejected, Verdict } from './classify.js';
import type { Encoded } from './encode.js';

/**
 * What became of a flush's events, call by call, and the FlushResult that says so: the events of
 * failed calls (and of the calls not made after them) are retried, and only those; events the
 * service will never take are counted as dropped, with one reason line for the whole flush.
 */
export class FlushTally {
  /** A failure that concerns every call (throttling, service fault, network, credentials): stop. */
  stopped = false;
  private readonly retryIdx: number[] = [];
  private retryReason?: string;
  private retryAfterMs?: number;
  private readonly rejected: Rejected = { tooOld: 0, expired: 0, tooNew: 0, total: 0 };
  private invalidCount = 0;
  private invalidReason?: string;

  constructor(
    private readonly enc: Encoded,
    private readonly plan: Plan,
    private readonly metrics: PluginMetrics,
    private readonly logKey: string | undefined,
  ) {}

  delivered(_batch: PutBatch, rejected: Rejected | undefined): void {
    if (!rejected) return;
    this.rejected.tooOld += rejected.tooOld;
    this.rejected.expired += rejected.expired;
    this.rejected.tooNew += rejected.tooNew;
    this.rejected.total += rejected.total;
  }

  /** The service refused the call for good (InvalidParameterException…): its events are dropped. */
  invalid(batch: PutBatch, reason: string): void {
    this.invalidCount += batch.idx.length;
    this.invalidReason ??= reason;
  }

  fail(v: Extract<Verdict, { kind: 'retry' }>, everything: boolean): void {
    this.retryReason ??= v.reason;
    if (v.retryAfterMs !== undefined) this.retryAfterMs = Math.max(this.retryAfterMs ?? 0, v.retryAfterMs);
    if (everything) this.stopped = true;
  }

  retry(batch: PutBatch): void {
    for (let k = 0; k < batch.idx.length; k++) this.retryIdx.push(batch.idx[k]!);
  }

  result(): FlushResult {
    const { enc, plan } = this;
    const m = this.metrics;
    const parts: string[] = [];
    let dropped = 0;
    const count = (n: number, counter: string, text: string) => {
      if (n <= 0) return;
      dropped += n;
      m.add(counter, n);
      parts.push(`${n} ${text}`);
    };
    count(plan.tooOld, 'dropped_too_old', 'older than 14 days (not sent)');
    count(plan.tooNew, 'dropped_too_new', 'more than 2 h in the future (not sent)');
    const rj = this.rejected;
    const kinds = [[rj.tooOld, 'too old'], [rj.expired, 'expired'], [rj.tooNew, 'too new']].filter(([n]) => (n as number) > 0).map(([n, k]) => `${n} ${k}`);
    count(rj.total, 'rejected_records', `rejected by the service (rejectedLogEventsInfo: ${kinds.join(', ')})`);
    count(enc.missingKey, 'dropped_no_log_key', `without log_key '${this.logKey ?? ''}'`);
    count(enc.empty, 'dropped_empty', 'with an empty message');
    count(enc.unencodable, 'dropped_unencodable', 'that cannot be written as JSON');
    count(this.invalidCount, 'dropped_invalid', `in calls refused: ${this.invalidReason ?? ''}`);
    const dropReason = parts.length ? `CloudWatch Logs will not take them: ${parts.join('; ')}` : undefined;

    if (this.retryIdx.length === 0) {
      return dropped > 0 ? { status: 'ok', dropped, dropReason } : { status: 'ok' };
    }
    const only = this.retryIdx.sort((a, b) => a - b);
    const r: Extract<FlushResult, { status: 'retry' }> = { status: 'retry', reason: this.retryReason ?? 'CloudWatch Logs call failed', only };
    if (this.retryAfterMs !== undefined) r.retryAfterMs = this.retryAfterMs;
    if (dropped > 0) {
      r.dropped = dropped;
      r.dropReason = dropReason;
    }
    return r;
  }
}
