import type { Logger } from '../../src/log.js';
import type { Verdict } from './classify.js';
import { createLogGroupBody, createLogStreamBody, putRetentionPolicyBody, type Operation } from './request.js';

/** Makes one signed call and classifies the answer (network failures come back as retry verdicts). */
export type Caller = (op: Operation, body: string | Uint8Array) => Promise<Verdict>;

export interface StreamSettings {
  autoCreateGroup: boolean;
  /** Off (the Go plugin's auto_create_stream false): a missing stream is an error to fix, retried. */
  autoCreateStream?: boolean;
  groupTags?: Record<string, string>;
  retentionDays?: number;
  groupClass?: string;
}

export type Failure = Extract<Verdict, { kind: 'retry' | 'drop' }>;

/**
 * The outcome of making sure a stream exists: ready, or a verdict for its batches. `local`: the
 * failure concerns this stream only (its group is missing), other streams may go on.
 */
export type Ensured = { ok: true } | { ok: false; verdict: Failure; local?: boolean };

/**
 * Log group and stream creation, done when PutLogEvents says the stream is missing (so a role
 * with only logs:PutLogEvents works on existing streams, and no Create* call is made per flush):
 * CreateLogStream always; CreateLogGroup first when the group is missing too and
 * `auto_create_group` is on, then PutRetentionPolicy once for the group just created.
 * "Already exists" (another agent was quicker) counts as done. Concurrent flushes share one
 * creation per stream.
 */
export class StreamRegistry {
  private readonly inflight = new Map<string, Promise<Ensured>>();
  /** Groups this output created whose PutRetentionPolicy failed for a passing reason (throttling). */
  private readonly pendingRetention = new Set<string>();

  constructor(private readonly call: Caller, private readonly o: StreamSettings, private readonly log: Logger) {}

  /** Make sure `group`/`stream` exists (after a ResourceNotFoundException). */
  ensure(group: string, stream: string): Promise<Ensured> {
    const key = `${group}\u0000${stream}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.create(group, stream).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async create(group: string, stream: string): Promise<Ensured> {
    if (this.o.autoCreateStream === false) {
      return { ok: false, local: true, verdict: { kind: 'retry', reason: `log stream '${stream}' of log group '${group}' does not exist: create it, or set auto_create_stream on` } };
    }
    let v = await this.call('CreateLogStream', createLogStreamBody(group, stream));
    if (v.kind === 'not_found') {
      if (!this.o.autoCreateGroup) {
        return {
          ok: false,
          local: true,
          verdict: { kind: 'retry', reason: `log group '${group}' does not exist: create it, or set auto_create_group on so Wren creates it` },
        };
      }
      const g = await this.ensureGroup(group);
      if (!g.ok) return g;
      v = await this.call('CreateLogStream', createLogStreamBody(group, stream));
    }
    if (v.kind === 'ok' || v.kind === 'exists') {
      if (v.kind === 'ok') this.log.info(`created log stream '${stream}' in log group '${group}'`);
      return { ok: true };
    }
    if (v.kind === 'not_found') return { ok: false, verdict: { kind: 'retry', reason: v.reason } };
    return { ok: false, verdict: v };
  }

  private async ensureGroup(group: string): Promise<Ensured> {
    const v = await this.call('CreateLogGroup', createLogGroupBody(group, this.o.groupClass, this.o.groupTags));
    if (v.kind === 'exists') return { ok: true };
    if (v.kind !== 'ok') return { ok: false, verdict: v.kind === 'not_found' ? { kind: 'retry', reason: v.reason } : v };
    this.log.info(`created log group '${group}'${this.o.groupClass ? ` (class ${this.o.groupClass})` : ''}`);
    // the group exists either way: a failed retention is logged (and retried), never a reason to hold records back
    if (this.o.retentionDays !== undefined) await this.setRetention(group);
    return { ok: true };
  }

  /** After a delivery to `group`: set its retention if an earlier attempt failed for a passing reason. */
  async retryRetention(group: string): Promise<void> {
    if (this.pendingRetention.size > 0 && this.pendingRetention.has(group)) await this.setRetention(group);
  }

  /** PutRetentionPolicy for a group this output created; after a passing failure, tried again after the next delivery to it. */
  private async setRetention(group: string): Promise<void> {
    const days = this.o.retentionDays;
    if (days === undefined) return;
    this.pendingRetention.delete(group);
    const r = await this.call('PutRetentionPolicy', putRetentionPolicyBody(group, days));
    if (r.kind === 'ok') {
      this.log.info(`set retention of log group '${group}' to ${days} days`);
      return;
    }
    const why = 'reason' in r ? r.reason : r.kind;
    if (r.kind === 'retry') {
      this.pendingRetention.add(group);
      this.log.warn(`could not set retention of log group '${group}' to ${days} days yet (${why}); will try again after the next delivery to it`);
    } else {
      this.log.error(`could not set retention of log group '${group}' to ${days} days: ${why}`);
    }
  }
}

/**
 * Keeps the calls of one stream in flush order when several flushes run at once (`workers` > 1):
 * a flush takes a ticket on each stream it writes, synchronously when it starts, and writes the
 * stream when the flushes before it are done with it. A flush holds one stream at a time, and
 * every earlier flush is ahead of it on every stream, so there is no deadlock.
 */
export class StreamOrder {
  private readonly tails = new Map<string, Promise<void>>();

  /** Take a place in line for a stream: wait on `turn`, call `done` when finished with it. */
  ticket(key: string): { turn: Promise<void>; done: () => void } {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => { done = resolve; });
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return { turn: prev, done };
  }
}
