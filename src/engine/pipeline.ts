import type { PluginConfig, WrenConfig } from '../config/load.js';
import { parseRetryLimit } from '../config/common-options.js';
import { ConfigError, ConfigErrorList, errorLine } from '../errors.js';
import type { Logger } from '../log.js';
import { toPinoLevel } from '../log-levels.js';
import { InputRunner } from './input-runner.js';
import { MetricsRegistry, type InstanceMetrics } from './metrics.js';
import { OutputRunner } from './output-runner.js';
import { Receipt } from './receipt.js';
import type { EmitOptions, FilterInstance, InputContext, LogEvent, PluginContext } from './types.js';

interface FilterRunner {
  id: string;
  instance: FilterInstance;
  metrics: InstanceMetrics;
  log: Logger;
  cfg: PluginConfig;
}

interface Route {
  filters: FilterRunner[];
  outputs: OutputRunner[];
}

interface Queued {
  tag: string;
  events: LogEvent[];
  receipt: Receipt;
}

const ROUTE_CACHE_MAX = 10_000;

/**
 * The running pipeline: inputs emit batches, filters map them in declaration order, each matching
 * output buffers them; a flush tick drives the outputs. Owns start-up and shutdown.
 */
export class Pipeline {
  readonly metrics = new MetricsRegistry();
  private readonly inputs: InputRunner[] = [];
  private readonly filters: FilterRunner[] = [];
  private readonly outputs: OutputRunner[] = [];
  private readonly outputCfgs = new Map<OutputRunner, PluginConfig>();
  private readonly routes = new Map<string, Route>();
  private readonly queue: Queued[] = [];
  private busy = false;
  /** An input paused while batches were queued: seal the open chunks once they are through. */
  private sealWhenIdle = false;
  private flushTimer?: NodeJS.Timeout;
  private readonly abort = new AbortController();
  private dropped = 0;
  private allDone!: () => void;
  private idleWaiter?: () => void;
  private graceMs = 0;
  private deadlineTimer?: NodeJS.Timeout;
  private deadlineHit!: () => void;
  private readonly deadline = new Promise<void>((r) => (this.deadlineHit = r));
  /** Resolves when every input has finished (only bounded inputs ever do). */
  readonly inputsFinished: Promise<void>;

  constructor(private readonly config: WrenConfig, private readonly log: Logger, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.inputsFinished = new Promise((r) => (this.allDone = r));
  }

  /** Records dropped so far, for any reason. */
  get droppedRecords(): number {
    return this.dropped;
  }

  /**
   * Create every plugin instance (nothing is read or sent yet). Configuration problems found by
   * the plugins are collected and thrown together as a ConfigErrorList.
   */
  async build(): Promise<void> {
    const cfg = this.config;
    const errors: ConfigError[] = [];
    const create = async <T>(pc: PluginConfig, make: () => T | Promise<T>): Promise<T | undefined> => {
      try {
        return await make();
      } catch (err) {
        if (err instanceof ConfigError) errors.push(err);
        else errors.push(new ConfigError(`${pc.kind} '${pc.name}': ${errorLine(err)}`, pc.pos, { cause: err }));
        return undefined;
      }
    };
    for (const oc of cfg.outputs) {
      if (oc.def.kind !== 'output') continue;
      const def = oc.def;
      const ctx = this.context(oc);
      const instance = await create(oc, () => def.create(ctx));
      if (!instance) continue;
      const runner = new OutputRunner({
        id: oc.id,
        instance,
        metrics: ctx.metrics as InstanceMetrics,
        log: ctx.log,
        workers: oc.options.num('workers'),
        retryLimit: parseRetryLimit(oc.options.str('retry_limit')) ?? Infinity,
        schedulerBaseMs: cfg.service.schedulerBaseMs,
        schedulerCapMs: cfg.service.schedulerCapMs,
        onDrop: (n) => (this.dropped += n),
      });
      this.outputs.push(runner);
      this.outputCfgs.set(runner, oc);
    }
    for (const fc of cfg.filters) {
      if (fc.def.kind !== 'filter') continue;
      const def = fc.def;
      const ctx = this.context(fc);
      const instance = await create(fc, () => def.create(ctx));
      if (instance) this.filters.push({ id: fc.id, instance, metrics: ctx.metrics as InstanceMetrics, log: ctx.log, cfg: fc });
    }
    for (const ic of cfg.inputs) {
      if (ic.def.kind !== 'input') continue;
      const def = ic.def;
      const base = this.context(ic);
      const runner = new InputRunner(ic.id, ic.options.optStr('tag') ?? ic.id, ic.options.optNum('mem_buf_limit') ?? Infinity,
        base.metrics as InstanceMetrics, base.log, () => this.inputFinished());
      const ctx: InputContext = {
        ...base,
        tag: runner.tag,
        emit: (events, opts) => this.ingest(runner, events, opts),
        done: () => runner.done(),
        isPaused: () => runner.paused,
      };
      runner.instance = await create(ic, () => def.create(ctx));
      if (runner.instance) this.inputs.push(runner);
    }
    if (errors.length > 0) {
      await this.dispose();
      throw new ConfigErrorList(errors);
    }
  }

  /** Build (if not yet) and start reading: inputs start, the flush tick runs. */
  async start(): Promise<void> {
    if (this.inputs.length === 0) await this.build();
    this.flushTimer = setInterval(() => this.tick(), this.config.service.flushMs);
    for (const r of this.inputs) await r.instance!.start();
  }

  /** Stop every instance without flushing (after build only, or for `wren check`). */
  async dispose(): Promise<void> {
    clearInterval(this.flushTimer);
    this.abort.abort();
    for (const i of this.inputs) {
      if (i.stopped) continue;
      i.stopped = true;
      await safeStop(i.instance?.stop.bind(i.instance), i.log);
    }
    for (const f of this.filters) await safeStop(f.instance.stop?.bind(f.instance), f.log);
    for (const o of this.outputs) await o.stop();
  }

  private context(pc: PluginConfig): PluginContext {
    const level = pc.options.optStr('log_level');
    const log = this.log.child({ plugin: pc.id }, level ? { level: toPinoLevel(level) } : undefined);
    return {
      id: pc.id,
      options: pc.options,
      log,
      metrics: this.metrics.instance(pc.kind, pc.id, pc.def.name),
      parsers: this.config.parsers,
      signal: this.abort.signal,
      baseDir: this.config.baseDir,
      env: this.env,
    };
  }

  private ingest(input: InputRunner, events: LogEvent[], opts: EmitOptions | undefined): boolean {
    if (input.stopped && input.finished) {
      this.log.debug({ plugin: input.id }, 'emit after stop ignored');
    }
    const bytes = opts?.bytes ?? estimateBytes(events);
    const ok = input.admit(bytes, events.length);
    const receipt = new Receipt(input, bytes, opts?.onDone);
    const tag = opts?.tag ?? input.tag;
    if (this.busy || this.queue.length > 0) this.queue.push({ tag, events, receipt });
    else this.process(tag, events, receipt, 0);
    opts?.onStored?.();
    if (!ok) this.sealForPausedInput();
    return ok;
  }

  /**
   * An input just paused on mem_buf_limit: what it buffered only drains once delivered, so the
   * open chunks are sealed and flushed now rather than at the next flush tick (with a limit
   * under the chunk size, waiting for ticks capped throughput at limit / service.flush).
   * Batches still queued behind an asynchronous filter are sealed once they are through.
   */
  private sealForPausedInput(): void {
    if (this.busy || this.queue.length > 0) this.sealWhenIdle = true;
    else this.tick();
  }

  private process(tag: string, events: LogEvent[], receipt: Receipt, from: number): void {
    const route = this.route(tag);
    let batch = events;
    const perEvent = receipt.bytes / Math.max(1, events.length);
    for (let i = from; i < route.filters.length; i++) {
      const f = route.filters[i]!;
      const before = batch.length;
      let r: LogEvent[] | Promise<LogEvent[]>;
      try {
        r = f.instance.filter(batch, tag);
      } catch (err) {
        this.filterFailed(f, err);
        continue;
      }
      if (!Array.isArray(r)) {
        this.busy = true;
        const input = batch;
        r.then(
          (out) => this.countFilter(f, before, out.length, perEvent) ?? out,
          (err: unknown) => (this.filterFailed(f, err), input),
        ).then((out) => {
          this.busy = false;
          this.process(tag, out, receipt, i + 1);
          this.runQueue();
        });
        return;
      }
      this.countFilter(f, before, r.length, perEvent);
      batch = r;
    }
    if (batch.length > 0) {
      const bytes = batch.length === events.length ? receipt.bytes : Math.round((receipt.bytes * batch.length) / Math.max(1, events.length));
      for (const o of route.outputs) o.append(tag, batch, bytes, receipt);
    }
    receipt.release();
  }

  private runQueue(): void {
    while (!this.busy && this.queue.length > 0) {
      const q = this.queue.shift()!;
      this.process(q.tag, q.events, q.receipt, 0);
    }
    if (!this.busy && this.queue.length === 0) {
      if (this.sealWhenIdle) {
        this.sealWhenIdle = false;
        this.tick();
      }
      this.idleWaiter?.();
    }
  }

  /** Fluent Bit's filter counters; bytes are the input's bytes as read, apportioned per record. */
  private countFilter(f: FilterRunner, before: number, after: number, perEvent: number): undefined {
    const m = f.metrics;
    m.add('records_in', before);
    m.add('records_out', after);
    m.add('bytes', Math.round(after * perEvent));
    if (after < before) {
      m.add('drop_records', before - after);
      m.add('drop_bytes', Math.round((before - after) * perEvent));
    } else if (after > before) {
      m.add('add_records', after - before);
    }
    return undefined;
  }

  private filterFailed(f: FilterRunner, err: unknown): void {
    f.metrics.add('errors');
    f.log.error(`filter failed, records passed on unchanged: ${errorLine(err)}`);
  }

  private route(tag: string): Route {
    let r = this.routes.get(tag);
    if (r) return r;
    r = {
      filters: this.filters.filter((f) => f.cfg.matcher!(tag)),
      outputs: this.outputs.filter((o) => this.outputCfgs.get(o)!.matcher!(tag)),
    };
    if (r.outputs.length === 0) this.log.debug({ tag }, 'no output matches this tag; its records are discarded');
    if (this.routes.size >= ROUTE_CACHE_MAX) this.routes.clear();
    this.routes.set(tag, r);
    return r;
  }

  private tick(): void {
    for (const o of this.outputs) o.tick();
  }

  private inputFinished(): void {
    if (this.inputs.length > 0 && this.inputs.every((i) => i.finished)) this.allDone();
  }

  /**
   * Stop inputs, let queued batches through the filters, and flush every output until all is
   * delivered (or dropped after its retries). Once `limitDrain(ms)` is called (a signal, or
   * called before), whatever is not delivered by that deadline is dropped and counted.
   */
  async shutdown(): Promise<{ dropped: number }> {
    for (const i of this.inputs) {
      i.stopped = true;
      await safeStop(i.instance?.stop.bind(i.instance), i.log);
    }
    const drained = (async () => {
      if (this.busy || this.queue.length > 0) await new Promise<void>((r) => (this.idleWaiter = r));
      await Promise.all(this.outputs.map((o) => o.drain()));
      return false;
    })();
    const expired = await Promise.race([drained, this.deadline.then(() => true)]);
    clearTimeout(this.deadlineTimer);
    if (expired) {
      for (const o of this.outputs) {
        const n = o.abandon(`not delivered within service.grace (${this.graceMs} ms)`);
        if (n > 0) this.log.error({ plugin: o.id, records: n }, 'grace period expired with records still buffered');
      }
      // batches still waiting on an asynchronous filter are lost too
      for (const q of this.queue.splice(0)) {
        this.dropped += q.events.length;
        q.receipt.release();
      }
    }
    await this.dispose();
    return { dropped: this.dropped };
  }

  /** From now on, give the drain at most `ms` more (the first call wins). */
  limitDrain(ms: number): void {
    if (this.deadlineTimer !== undefined) return;
    this.graceMs = ms;
    this.deadlineTimer = setTimeout(() => this.deadlineHit(), ms);
  }
}

export async function safeStop(stop: (() => unknown) | undefined, log: Logger): Promise<void> {
  if (!stop) return;
  try {
    await stop();
  } catch (err) {
    log.error(`stopping failed: ${errorLine(err)}`);
  }
}

/** A cheap size estimate for a batch whose input did not say: the first record's JSON size × count. */
function estimateBytes(events: LogEvent[]): number {
  if (events.length === 0) return 0;
  let one = 64;
  try {
    one = JSON.stringify(events[0]!.record).length + 16;
  } catch {
    // unserializable record: keep the default
  }
  return one * events.length;
}
