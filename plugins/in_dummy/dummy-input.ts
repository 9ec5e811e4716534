import { monotonicMs } from '../../src/clock.js';
import { ConfigError } from '../../src/errors.js';
import type { InputContext, InputInstance, LogEvent } from '../../src/engine/types.js';

/** Emit at most this many records per batch, and tick at most this often. */
const MAX_BATCH = 10_000;
const MIN_TICK_MS = 5;

export class DummyInput implements InputInstance {
  private readonly template: Record<string, unknown>;
  private readonly flat: boolean;
  private readonly json: string;
  private readonly perSecond: number;
  private readonly samples: number;
  private readonly fixedTime?: number;
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private emitted = 0;
  private paused = false;
  private stopped = false;

  constructor(private readonly ctx: InputContext) {
    const o = ctx.options;
    const v = o.raw('dummy');
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw new ConfigError(`input '${ctx.id}': 'dummy' must be a JSON object, e.g. {"message":"hello"}`, o.pos('dummy'));
    }
    this.template = v as Record<string, unknown>;
    this.json = JSON.stringify(v);
    this.flat = Object.values(this.template).every((x) => x === null || typeof x !== 'object');
    this.perSecond = o.num('rate') * o.num('copies');
    this.samples = o.num('samples');
    const sec = o.optNum('start_time_sec');
    if (sec !== undefined) this.fixedTime = sec * 1000 + o.num('start_time_nsec') / 1e6;
    else if (o.bool('fixed_timestamp')) this.fixedTime = Date.now();
  }

  start(): void {
    this.startedAt = monotonicMs() - (this.ctx.options.bool('flush_on_startup') ? 1000 / this.perSecond : 0);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.paused) return;
    const ms = Math.max(MIN_TICK_MS, 1000 / this.perSecond);
    this.timer = setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    if (this.stopped) return;
    const elapsed = monotonicMs() - this.startedAt;
    let due = Math.floor((elapsed * this.perSecond) / 1000) - this.emitted;
    if (this.samples > 0) due = Math.min(due, this.samples - this.emitted);
    while (due > 0 && !this.paused && !this.stopped) {
      const n = Math.min(due, MAX_BATCH);
      const more = this.ctx.emit(this.make(n), { bytes: n * this.json.length });
      this.emitted += n;
      due -= n;
      if (!more) break;
    }
    if (this.samples > 0 && this.emitted >= this.samples) {
      this.stopped = true;
      this.ctx.done();
      return;
    }
    this.schedule();
  }

  private make(n: number): LogEvent[] {
    const out = new Array<LogEvent>(n);
    const time = this.fixedTime ?? Date.now();
    for (let i = 0; i < n; i++) {
      out[i] = { time, record: this.flat ? { ...this.template } : (JSON.parse(this.json) as Record<string, unknown>) };
    }
    return out;
  }

  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    // do not try to catch up on the time spent paused
    this.startedAt = monotonicMs() - (this.emitted * 1000) / this.perSecond;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
