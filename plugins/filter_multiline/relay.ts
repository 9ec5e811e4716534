import type { FilterContext, FilterEmitter, LogEvent } from '../../src/engine/types.js';

/** One batch the filter saw: the holds taken on it for records that outlive its `filter()` call. */
export class BatchRef {
  readonly releases: (() => void)[] = [];
}

/**
 * Hands on what the filter lets go, in order, through its emitter (continuing after the filter),
 * and keeps at-least-once across batches: a batch whose lines are still in an open record is held
 * (its input's offsets and acks wait) until the record made of them has been delivered.
 */
export class Relay {
  private current: BatchRef | null = null;
  private out: LogEvent[] = [];
  private releases: (() => void)[] = [];

  constructor(
    private readonly ctx: FilterContext,
    private readonly emitter: FilterEmitter | null,
    private readonly debug = false,
  ) {}

  /** Start a `filter()` call: the token its events carry. */
  begin(): BatchRef {
    this.current = new BatchRef();
    return this.current;
  }

  /** A record let go: `tokens` are the batches it was made of (null: the event's own batch, the current one or none). */
  readonly sink = (event: LogEvent, tokens: readonly BatchRef[] | null): void => {
    this.out.push(event);
    if (tokens === null) return;
    if (this.debug) this.ctx.log.debug({ record: event.record }, 'multiline: joined record');
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t === this.current) continue;
      const r = t.releases.pop();
      if (r !== undefined) this.releases.push(r);
    }
  };

  /** End of `filter()`: hold the batch once per record still open with its lines; return what is let go inline (no emitter). */
  end(tag: string, stillOpen: number): LogEvent[] {
    const ref = this.current!;
    this.current = null;
    const hold = this.ctx.holdBatch;
    if (hold !== undefined) for (let i = 0; i < stillOpen; i++) ref.releases.push(hold());
    if (this.emitter === null) return this.take();
    this.send(tag);
    return [];
  }

  /** Outside `filter()` (timer, shutdown): send what was let go. */
  send(tag: string): void {
    if (this.out.length === 0) return;
    const events = this.take();
    const releases = this.releases;
    this.releases = [];
    this.emitter!.emit(events, tag, undefined, releases.length === 0 ? undefined : () => { for (const r of releases) r(); });
  }

  private take(): LogEvent[] {
    const events = this.out;
    this.out = [];
    this.ctx.metrics.add('emit_records', events.length);
    return events;
  }
}
