import type { InputInstance, LogEvent } from '../../src/engine/types.js';

export interface Batch { tag: string; events: LogEvent[]; bytes: number; onDone?: () => void; done: boolean }

export interface DeliveryOptions {
  /** 'auto': every batch is done on the next tick; 'manual': the test calls `finish`. */
  delivery?: 'auto' | 'manual';
  /** Pause (emit returns false) while this many events are not done. */
  limitEvents?: number;
}

/**
 * The delivery side of a stand-in engine around one input: records emitted batches, completes
 * them (on the next tick, or when the test says), pauses the input over a limit and resumes it.
 */
export class FakeDelivery {
  readonly batches: Batch[] = [];
  paused = false;
  instance!: InputInstance;
  private outstanding = 0;

  constructor(protected readonly opts: DeliveryOptions = {}) {}

  /** Take a batch the input emitted; false when the input should pause. */
  protected take(batch: Batch): boolean {
    this.batches.push(batch);
    this.outstanding += batch.events.length;
    if ((this.opts.delivery ?? 'auto') === 'auto') setImmediate(() => this.finish(batch));
    if (this.opts.limitEvents !== undefined && this.outstanding >= this.opts.limitEvents) this.paused = true;
    return !this.paused;
  }

  /** Mark a batch delivered (as an output would), resuming the input when under the limit. */
  finish(batch: Batch): void {
    if (batch.done) return;
    batch.done = true;
    this.outstanding -= batch.events.length;
    batch.onDone?.();
    if (this.paused && (this.opts.limitEvents === undefined || this.outstanding < this.opts.limitEvents)) {
      this.paused = false;
      this.instance.resume?.();
    }
  }
}
