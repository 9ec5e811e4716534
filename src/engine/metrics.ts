import type { PluginKind, PluginMetrics } from './types.js';

/** Counters and gauges of one plugin instance. */
export class InstanceMetrics implements PluginMetrics {
  readonly counters = new Map<string, number>();
  readonly gauges = new Map<string, () => number>();

  constructor(
    readonly kind: PluginKind,
    readonly id: string,
    readonly plugin: string,
    private readonly registry: MetricsRegistry,
  ) {}

  add(counter: string, n = 1): void {
    this.counters.set(counter, (this.counters.get(counter) ?? 0) + n);
    // health counts outputs' errors and exhausted retries only, as Fluent Bit's
    if (this.kind !== 'output') return;
    if (counter === 'errors') this.registry.noteHealthEvent('errors', n);
    else if (counter === 'retries_failed') this.registry.noteHealthEvent('retries_failed', n);
  }

  get(counter: string): number {
    return this.counters.get(counter) ?? this.gauges.get(counter)?.() ?? 0;
  }

  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }
}

/** Every instance's metrics, plus the recent-event windows behind `health_check`. */
export class MetricsRegistry {
  readonly startedAt = Date.now();
  private readonly list: InstanceMetrics[] = [];
  private readonly recent = { errors: [] as number[], retries_failed: [] as number[] };

  instance(kind: PluginKind, id: string, plugin: string): InstanceMetrics {
    const m = new InstanceMetrics(kind, id, plugin, this);
    this.list.push(m);
    return m;
  }

  instances(): readonly InstanceMetrics[] {
    return this.list;
  }

  noteHealthEvent(what: 'errors' | 'retries_failed', n: number): void {
    const now = Date.now();
    const arr = this.recent[what];
    for (let i = 0; i < n; i++) arr.push(now);
    if (arr.length > 10_000) arr.splice(0, arr.length - 10_000);
  }

  /** Events of a kind within the last `periodMs`. */
  recentCount(what: 'errors' | 'retries_failed', periodMs: number, now = Date.now()): number {
    const arr = this.recent[what];
    const from = now - periodMs;
    while (arr.length > 0 && arr[0]! < from) arr.shift();
    return arr.length;
  }

  /** Sum of one counter over the instances of a kind. */
  total(kind: PluginKind, counter: string): number {
    let t = 0;
    for (const m of this.list) if (m.kind === kind) t += m.get(counter);
    return t;
  }
}
