import type { Dispatcher } from 'undici';
import { DispatcherBase } from './undici.js';

/**
 * A dispatcher that hands each request to the dispatcher chosen for its origin (direct or one of
 * the proxies). The choice is made once per origin and remembered.
 */
export class RoutingDispatcher extends DispatcherBase {
  private readonly byOrigin = new Map<string, Dispatcher>();

  constructor(
    private readonly pick: (origin: URL) => Dispatcher,
    /** Every dispatcher `pick` may return, to close them together. */
    private readonly owned: readonly Dispatcher[],
  ) {
    super();
  }

  /** Every dispatcher requests may go to (direct and proxies). */
  get dispatchers(): readonly Dispatcher[] {
    return this.owned;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = String(opts.origin ?? '');
    let d = this.byOrigin.get(origin);
    if (!d) {
      d = this.pick(new URL(origin));
      this.byOrigin.set(origin, d);
    }
    return d.dispatch(opts, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const p = Promise.all(this.owned.map((d) => d.close())).then(() => undefined);
    if (!callback) return p;
    void p.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const err = typeof a === 'function' ? null : a ?? null;
    const callback = typeof a === 'function' ? a : b;
    const p = Promise.all(this.owned.map((d) => d.destroy(err))).then(() => undefined);
    if (!callback) return p;
    void p.then(callback, callback);
  }
}
