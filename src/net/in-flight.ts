import { monotonicMs } from '../clock.js';

/**
 * What a request in flight can be cut short by: its deadline passing, or its abort signal.
 * `cutShort` is called at most once, with the reason.
 */
export interface Cancellable {
  /** monotonicMs() when the request has had its time (Infinity: no deadline). */
  readonly deadline: number;
  cutShort(reason: 'deadline' | 'abort', signal?: AbortSignal): void;
}

/**
 * The deadlines and abort signals of the requests in flight, watched with one timer (armed for
 * the earliest deadline) and one 'abort' listener per signal, rather than a timer and a listener
 * made and dropped for each request. A Firehose output makes about 600 calls where OpenSearch makes
 * 45 for the same records, and in a fresh process the timer (a Timeout, its list and the timer
 * queue) and the listener (Node's EventTarget) cost about 30 µs of each call's CPU.
 *
 * The timer is unref'd: a request in flight holds the process through its socket.
 */
export class InFlight {
  private readonly live = new Set<Cancellable>();
  private readonly bySignal = new WeakMap<AbortSignal, Set<Cancellable>>();
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires (Infinity: not armed). */
  private armedFor = Infinity;

  constructor(private readonly now: () => number = monotonicMs) {}

  add(c: Cancellable, signal: AbortSignal | undefined): void {
    if (c.deadline !== Infinity) {
      this.live.add(c);
      if (c.deadline < this.armedFor) this.arm(c.deadline);
    }
    if (signal !== undefined) {
      let set = this.bySignal.get(signal);
      if (set === undefined) {
        const mine = (set = new Set());
        this.bySignal.set(signal, mine);
        signal.addEventListener('abort', () => {
          for (const x of [...mine]) {
            this.delete(x, signal);
            x.cutShort('abort', signal);
          }
        }, { once: true });
      }
      set.add(c);
    }
  }

  delete(c: Cancellable, signal: AbortSignal | undefined): void {
    this.live.delete(c);
    if (signal !== undefined) this.bySignal.get(signal)?.delete(c);
  }

  /** Requests with a deadline still in flight (tests). */
  get size(): number {
    return this.live.size;
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = at;
    this.timer = setTimeout(() => this.fire(), Math.max(1, Math.ceil(at - this.now())));
    this.timer.unref();
  }

  /** The earliest deadline came (or a request holding it finished before): cut what is due, re-arm for the next. */
  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    let next = Infinity;
    for (const c of [...this.live]) {
      if (c.deadline <= now) {
        this.live.delete(c);
        c.cutShort('deadline');
      } else if (c.deadline < next) {
        next = c.deadline;
      }
    }
    if (next !== Infinity && next < this.armedFor) this.arm(next);
  }
}

/** The requests in flight of this process. */
export const inFlight = new InFlight();
