import type { Logger } from '../log.js';
import { InputRunner } from './input-runner.js';
import type { InstanceMetrics } from './metrics.js';
import type { FilterEmitter, LogEvent } from './types.js';

/**
 * The runtime side of a filter's emitter (Fluent Bit's in_emitter): an InputRunner of its own, so
 * what it re-emits counts against its own mem_buf_limit and shows in its own metrics; and the
 * inputs whose batches fed it, which it pauses (holds) while it is over its limit and resumes
 * when it drains. The pipeline does the routing (`send`).
 */
export class EmitterRunner implements FilterEmitter {
  readonly runner: InputRunner;
  /** The filter that owns this emitter: batches it emits skip that filter. Set once the filter is built. */
  owner?: unknown;
  private readonly senders = new Set<InputRunner>();

  constructor(
    readonly id: string,
    memBufLimit: number,
    /** Batches continue after the owner filter rather than from the top. */
    readonly continueAfterOwner: boolean,
    metrics: InstanceMetrics,
    log: Logger,
    private readonly send: (from: EmitterRunner, events: LogEvent[], tag: string, bytes: number | undefined, onDone: (() => void) | undefined) => boolean,
  ) {
    this.runner = new InputRunner(id, id, memBufLimit, metrics, log, () => {});
    this.runner.instance = {
      start() {},
      stop() {},
      pause: () => { for (const s of this.senders) s.hold(this); },
      resume: () => { for (const s of this.senders) s.unhold(this); },
    };
  }

  emit(events: LogEvent[], tag: string, bytes?: number, onDone?: () => void): boolean {
    return this.send(this, events, tag, bytes, onDone);
  }

  /** An input whose batch is being re-emitted: paused at once when the emitter already is. */
  addSender(input: InputRunner): void {
    if (input === this.runner || this.senders.has(input)) return;
    this.senders.add(input);
    if (this.runner.paused) input.hold(this);
  }
}
