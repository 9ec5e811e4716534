import type { Logger } from '../log.js';
import type { InstanceMetrics } from './metrics.js';
import type { ReceiptOwner } from './receipt.js';
import type { InputInstance } from './types.js';

const PAUSE_LOG_MS = 60_000;

/**
 * An input's runtime state: bytes emitted and not yet out of Wren (held against
 * `mem_buf_limit`), pause / resume, and whether a bounded input has finished.
 */
export class InputRunner implements ReceiptOwner {
  instance?: InputInstance;
  inflightBytes = 0;
  paused = false;
  finished = false;
  stopped = false;
  /** Pauses since the last log line about them (logged at most every PAUSE_LOG_MS). */
  private pausesUnlogged = 0;
  private lastPauseLog = -Infinity;
  private readonly holders = new Set<object>();

  constructor(
    readonly id: string,
    readonly tag: string,
    readonly memBufLimit: number,
    readonly metrics: InstanceMetrics,
    readonly log: Logger,
    private readonly onFinished: () => void,
  ) {
    metrics.gauge('buffered_bytes', () => this.inflightBytes);
    metrics.gauge('paused', () => (this.paused ? 1 : 0));
  }

  /** Account a new batch; false when the input must pause. */
  admit(bytes: number, records: number): boolean {
    this.inflightBytes += bytes;
    this.metrics.add('records', records);
    this.metrics.add('bytes', bytes);
    if (this.inflightBytes >= this.memBufLimit && !this.paused && !this.stopped) {
      this.paused = true;
      this.metrics.add('pauses');
      this.pausesUnlogged++;
      const now = performance.now();
      if (now - this.lastPauseLog >= PAUSE_LOG_MS) {
        this.log.warn({ buffered_bytes: this.inflightBytes, mem_buf_limit: this.memBufLimit, pauses: this.pausesUnlogged },
          'mem_buf_limit reached: input paused until outputs catch up (logged at most once a minute; see wren_input_pauses_total)');
        this.lastPauseLog = now;
        this.pausesUnlogged = 0;
      }
      this.instance?.pause?.();
    }
    return !this.paused;
  }

  /**
   * Pause on behalf of `holder` (a filter's emitter over its own limit holds the inputs feeding
   * it) until `unhold(holder)`; the input resumes once nothing holds it and it is under its limit.
   */
  hold(holder: object): void {
    this.holders.add(holder);
    if (this.paused || this.stopped) return;
    this.paused = true;
    this.metrics.add('pauses');
    this.instance?.pause?.();
  }

  unhold(holder: object): void {
    if (this.holders.delete(holder)) this.receiptDone(0);
  }

  receiptDone(bytes: number): void {
    this.inflightBytes -= bytes;
    if (this.paused && this.inflightBytes < this.memBufLimit && this.holders.size === 0) {
      this.paused = false;
      this.log.debug({ buffered_bytes: this.inflightBytes }, 'input resumed');
      if (!this.stopped) this.instance?.resume?.();
    }
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinished();
  }
}
