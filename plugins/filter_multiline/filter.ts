import type { FilterContext, FilterInstance, LogEvent } from '../../src/engine/types.js';
import { MultilineStream } from '../../src/parsers/multiline/joiner.js';
import type { MultilineFilterConfig } from './config.js';
import { PartialMessages } from './partial.js';
import { BatchRef, Relay } from './relay.js';

interface Entry {
  tag: string;
  stream: MultilineStream<BatchRef>;
  /** Last `filter()` call that used it, to forget idle streams. */
  used: number;
}

/** Streams not used for this long (and holding nothing) are forgotten: tags come and go with pods. */
const FORGET_MS = 5 * 60_000;

/**
 * The `multiline` filter. Mode parser: records run through multiline parsers per tag and container
 * stream (`stream` field), so a trace is one record. With `buffer on` (default) open records carry
 * over to later batches and, after `flush_ms` without a new line, are let go on a timer; everything
 * the filter lets go goes on through its emitter in order, continuing after this filter (Fluent Bit
 * re-emits from the top; Wren skips the filters already passed). With `buffer off`, records are
 * joined within each batch only and returned directly. Mode partial_message: see PartialMessages.
 */
export class MultilineFilter implements FilterInstance {
  private readonly relay: Relay;
  private readonly streams = new Map<string, Entry>();
  private readonly partial: PartialMessages | null;
  private readonly timer: NodeJS.Timeout | null = null;
  private readonly touched: Entry[] = [];
  private readonly key: string;
  private readonly onTruncated = () => this.ctx.metrics.add('emit_truncated');

  constructor(
    private readonly ctx: FilterContext,
    private readonly cfg: MultilineFilterConfig,
  ) {
    const emitter = cfg.buffer && ctx.createEmitter !== undefined
      ? ctx.createEmitter({ name: cfg.emitterName, memBufLimit: cfg.emitterMemBufLimit, continueAfterOwner: true })
      : null;
    this.relay = new Relay(ctx, emitter, cfg.debugFlush);
    this.key = cfg.keyContent ?? cfg.parsers[0]?.keyContent ?? 'log';
    this.partial = cfg.mode === 'partial_message' ? new PartialMessages(cfg.keyContent!, this.relay.sink, this.onTruncated) : null;
    if (emitter !== null) {
      this.timer = setInterval(() => this.flushIdle(), Math.max(10, Math.floor(cfg.flushMs / 2)));
      this.timer.unref();
    }
  }

  filter(events: LogEvent[], tag: string): LogEvent[] {
    const ref = this.relay.begin();
    const now = Date.now();
    let open = 0;
    if (this.partial !== null) {
      open = this.partial.push(events, tag, ref, now);
    } else {
      const touched = this.touched;
      // a batch has one tag and mostly one stream: look the entry up again only when the stream changes
      let lastStream: unknown = undefined;
      let e: Entry | undefined;
      for (let i = 0; i < events.length; i++) {
        const ev = events[i]!;
        const stream = ev.record.stream;
        if (e === undefined || stream !== lastStream) {
          e = this.entry(tag, stream, now);
          lastStream = stream;
          if (!touched.includes(e)) touched.push(e);
        }
        e.stream.push(ev, ref, now);
      }
      for (const e of touched) {
        if (!this.cfg.buffer) e.stream.flush();
        else if (e.stream.lastToken === ref) open++;
      }
      touched.length = 0;
    }
    const out = this.relay.end(tag, open);
    return out;
  }

  /** Wren is stopping: let go of everything held. */
  flushHeld(): void {
    this.flushIdle(true);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  private flushIdle(all = false): void {
    const now = Date.now();
    if (this.partial !== null) {
      this.partial.flushIdle(all ? Infinity : now, this.cfg.flushMs, (tag) => this.relay.send(tag));
      return;
    }
    for (const [k, e] of this.streams) {
      const flushed = all ? (e.stream.holding && (e.stream.flush(), true)) : e.stream.flushIdle(now, this.cfg.flushMs);
      if (flushed) this.relay.send(e.tag);
      else if (!e.stream.holding && now - e.used > FORGET_MS) this.streams.delete(k);
    }
  }

  private entry(tag: string, stream: unknown, now: number): Entry {
    const k = typeof stream === 'string' ? `${tag}\0${stream}` : tag;
    let e = this.streams.get(k);
    if (e === undefined) {
      e = { tag, stream: new MultilineStream<BatchRef>(this.cfg.parsers, { key: this.key, onTruncated: this.onTruncated }, this.relay.sink), used: now };
      this.streams.set(k, e);
    }
    e.used = now;
    return e;
  }
}
