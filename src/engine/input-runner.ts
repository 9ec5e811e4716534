import { monotonicMs } from '../clock.js';
import type { Logger } from '../log.js';
import type { InstanceMetrics } from './metrics.js';
import type { MemoryOwner } from './event-data.js';
import type { InputInstance } from './types.js';

const PAUSE_LOG_MS = 60_000;

/**
 * An input's runtime state: bytes of its records held in Wren's buffers (against
 * `mem_buf_limit`), pause / resume, and whether a bounded input has finished.
 */
export class InputRunner implements MemoryOwner {
  instance?: InputInstance;
  inflightBytes = 0;
  paused = false;
  finished = false;
  stopped = false;
  /** storage.type: memory pauses at mem_buf_limit; filesystem writes chunk files; memrb drops the oldest. */
  storage: 'memory' | 'filesystem' | 'memrb' = 'memory';
  /** filesystem: pause while an output it feeds has more than storage.max_chunks_up chunks waiting. */
  pauseOnChunksOverlimit = false;
  /** Pauses since the last log line about them (logged at most every PAUSE_LOG_MS). */
  private pausesUnlogged = 0;
  private lastPauseLog = -Infinity;
  /** Who else holds this input paused (a filter's emitter over its own limit holds the inputs feeding it). */
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

  /** Count a new batch in the input's metrics. */
  admit(bytes: number, records: number): void {
    this.metrics.add('records', records);
    this.metrics.add('bytes', bytes);
  }

  /**
   * Bytes of this input's records now held (positive) or given back (negative). Giving back may
   * resume a paused input; taking never pauses by itself (see checkLimit), so a batch that is
   * charged provisionally and then as bytes does not pause and resume the input in between.
   */
  charge(bytes: number): void {
    this.inflightBytes += bytes;
    if (bytes < 0) this.maybeResume();
  }

  /** Bytes it may still buffer before mem_buf_limit (negative past it; Infinity without one). */
  room(): number {
    return this.memBufLimit - this.inflightBytes;
  }

  /**
   * Pause on behalf of `holder` until `unhold(holder)`; the input resumes once nothing holds it
   * and it is under its own limit.
   */
  hold(holder: object): void {
    this.holders.add(holder);
    if (this.paused || this.stopped) return;
    this.paused = true;
    this.metrics.add('pauses');
    this.instance?.pause?.();
  }

  unhold(holder: object): void {
    if (this.holders.delete(holder)) this.maybeResume();
  }

  private maybeResume(): void {
    if (!this.paused || this.inflightBytes >= this.memBufLimit || this.holders.size > 0) return;
    this.paused = false;
    this.log.debug({ buffered_bytes: this.inflightBytes }, 'input resumed');
    if (!this.stopped) this.instance?.resume?.();
  }

  /** Pause the input if what it holds reached mem_buf_limit; true if this call paused it. */
  checkLimit(): boolean {
    if (this.paused || this.stopped || this.inflightBytes < this.memBufLimit) return false;
    if (this.storage === 'memrb') return false; // never pauses: the pipeline drops its oldest chunks instead
    this.paused = true;
    this.metrics.add('pauses');
    this.pausesUnlogged++;
    const now = monotonicMs();
    if (now - this.lastPauseLog >= PAUSE_LOG_MS) {
      this.log.warn({ buffered_bytes: this.inflightBytes, mem_buf_limit: this.memBufLimit, pauses: this.pausesUnlogged },
        'mem_buf_limit reached: input paused until outputs catch up (logged at most once a minute; see wren_input_pauses_total)');
      this.lastPauseLog = now;
      this.pausesUnlogged = 0;
    }
    this.instance?.pause?.();
    return true;
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinished();
  }
}
