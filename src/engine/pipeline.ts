import { inspect } from 'node:util';
import type { PluginConfig, WrenConfig } from '../config/load.js';
import { parseRetryLimit } from '../config/common-options.js';
import { ConfigError, ConfigErrorList, errorLine } from '../errors.js';
import type { Logger } from '../log.js';
import { toPinoLevel } from '../log-levels.js';
import { excerpt } from '../redact.js';
import { EmitterRunner } from './filter-emitter.js';
import { InputRunner } from './input-runner.js';
import { MetricsRegistry, type InstanceMetrics } from './metrics.js';
import { chunkBytesFor, OutputRunner } from './output-runner.js';
import { Receipt } from './receipt.js';
import { eventBuffers } from './buffer-pool.js';
import { encodeEvents, trimScratch } from './encode-events.js';
import { inputStorageType, outputDisk } from './storage/setup.js';
import { StorageHolds } from './storage/storage-holds.js';
import { safeCall } from './safe-call.js';
import { countFilter, filterEachAlone, type FilterRunner } from './filter-runner.js';
import type { EmitOptions, FilterContext, FilterEmitterOptions, InputContext, LogEvent, PluginContext } from './types.js';

interface Route {
  filters: FilterRunner[];
  outputs: OutputRunner[];
}

interface Queued {
  tag: string;
  events: LogEvent[];
  receipt: Receipt;
  /** Who pays for the batch's bytes: the input that emitted it, or the emitter that re-emitted it. */
  input: InputRunner;
  /** Bytes charged to the input until the batch is through the filters and encoded. */
  provisional: number;
  origin: Origin;
}

/** Where a batch comes from: the input that read it (through any emitters), and the filters it skips. */
interface Origin {
  root?: InputRunner;
  skip?: FilterRunner;
  /** Start with the filter after this one (an emitter that continues after its owner). */
  after?: FilterRunner;
}

const ROUTE_CACHE_MAX = 10_000;
/** Pooled event buffers unused this long are let go (an idle agent gives back its peak). */
const POOL_IDLE_MS = 10_000;

/**
 * The running pipeline: inputs emit batches, filters map them in declaration order, each matching
 * output buffers them; a flush tick drives the outputs. Owns start-up and shutdown.
 */
export class Pipeline {
  readonly metrics = new MetricsRegistry();
  private readonly inputs: InputRunner[] = [];

  private readonly filters: FilterRunner[] = [];
  private readonly outputs: OutputRunner[] = [];
  /** Pauses and drops that filesystem and memrb storage ask for. */
  private readonly storage = new StorageHolds(this.inputs, this.outputs);
  private readonly outputCfgs = new Map<OutputRunner, PluginConfig>();
  private readonly routes = new Map<string, Route>();
  private readonly queue: Queued[] = [];
  private readonly emitters: EmitterRunner[] = [];
  /** The batch a filter is working on right now (what a re-emitted batch holds). */
  private current?: Queued;
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

  /** Whether some input may be reading now (not paused on its mem_buf_limit, not stopped). */
  inputsFlowing(): boolean {
    return this.inputs.some((r) => !r.paused && !r.stopped);
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
    const chunkBytes = chunkBytesFor(Math.min(...cfg.inputs.map((ic) => ic.options.optNum('mem_buf_limit') ?? Infinity)));
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
        chunkBytes,
        retryLimit: parseRetryLimit(oc.options.str('retry_limit')) ?? Infinity,
        schedulerBaseMs: cfg.service.schedulerBaseMs,
        schedulerCapMs: cfg.service.schedulerCapMs,
        onDrop: (n) => (this.dropped += n),
        disk: outputDisk(cfg.service.storage, oc, ctx.metrics as InstanceMetrics, ctx.log,
          (reason) => this.storage.diskBlocked(reason), () => this.storage.diskUnblocked()),
      });
      this.outputs.push(runner);
      this.outputCfgs.set(runner, oc);
    }
    for (const fc of cfg.filters) {
      if (fc.def.kind !== 'filter') continue;
      const def = fc.def;
      const made: EmitterRunner[] = [];
      const ctx: FilterContext = { ...this.context(fc), createEmitter: (o) => this.createEmitter(fc, o, made), holdBatch: () => this.holdBatch() };
      const instance = await create(fc, () => def.create(ctx));
      if (!instance) continue;
      const runner: FilterRunner = { id: fc.id, instance, metrics: ctx.metrics as InstanceMetrics, log: ctx.log, cfg: fc };
      for (const e of made) e.owner = runner;
      this.filters.push(runner);
    }
    for (const ic of cfg.inputs) {
      if (ic.def.kind !== 'input') continue;
      const def = ic.def;
      const base = this.context(ic);
      const runner = new InputRunner(ic.id, ic.options.optStr('tag') ?? ic.id, ic.options.optNum('mem_buf_limit') ?? Infinity,
        base.metrics as InstanceMetrics, base.log, () => this.inputFinished());
      try {
        runner.storage = inputStorageType(ic, cfg.service.storage);
        runner.pauseOnChunksOverlimit = ic.options.bool('storage.pause_on_chunks_overlimit');
      } catch (err) {
        errors.push(err as ConfigError);
      }
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
    let backlog = 0;
    for (const o of this.outputs) backlog += o.loadBacklog();
    if (backlog > 0) this.log.info({ chunks: backlog }, 'chunks left in storage.path by an earlier run: delivering them first');
    this.flushTimer = setInterval(() => this.tick(), this.config.service.flushMs);
    for (const o of this.outputs) await o.start();
    for (const r of this.inputs) await r.instance!.start();
  }

  /** Stop every instance without flushing (after build only, or for `wren check`). */
  async dispose(): Promise<void> {
    clearInterval(this.flushTimer);
    this.abort.abort();
    for (const i of this.inputs) {
      if (i.stopped) continue;
      i.stopped = true;
      await safeCall(i.instance?.stop.bind(i.instance), i.log);
    }
    for (const f of this.filters) await safeCall(f.instance.stop?.bind(f.instance), f.log);
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

  private createEmitter(fc: PluginConfig, o: FilterEmitterOptions, made: EmitterRunner[]): EmitterRunner {
    const cfg = this.config;
    const taken = [...cfg.inputs, ...cfg.filters, ...cfg.outputs].some((p) => p.id === o.name) || this.emitters.some((e) => e.id === o.name);
    if (taken) {
      throw new ConfigError(`filter '${fc.id}': emitter_name '${o.name}' is already the name of another instance`, fc.options.pos('emitter_name') ?? fc.pos,
        { hint: 'give emitter_name a name of its own' });
    }
    const log = this.log.child({ plugin: o.name });
    const e = new EmitterRunner(o.name, o.memBufLimit, o.continueAfterOwner === true, this.metrics.instance('input', o.name, 'emitter'), log,
      (from, events, tag, bytes, onDone) => this.reemit(from, events, tag, bytes, onDone));
    this.emitters.push(e);
    made.push(e);
    return e;
  }

  /**
   * A filter's emitter hands back a batch: it is charged to the emitter (its own mem_buf_limit),
   * holds the batch being filtered (if any) until delivered, and is queued behind it to run the
   * pipeline from the top (or after its filter).
   */
  private reemit(e: EmitterRunner, events: LogEvent[], tag: string, bytes: number | undefined, then: (() => void) | undefined): boolean {
    if (events.length === 0) {
      then?.();
      return !e.runner.paused;
    }
    const b = bytes ?? estimateBytes(events);
    e.runner.admit(b, events.length);
    e.runner.charge(b);
    const cur = this.current;
    let onDone = then;
    if (cur) {
      cur.receipt.hold();
      onDone = () => {
        cur.receipt.release();
        then?.();
      };
      if (cur.origin.root) e.addSender(cur.origin.root);
    }
    const owner = e.owner as FilterRunner | undefined;
    this.queue.push({ tag, events, receipt: new Receipt(onDone), input: e.runner, provisional: b,
      origin: { root: cur?.origin.root, skip: owner, after: e.continueAfterOwner ? owner : undefined } });
    // its limit is checked once it is through the filters (runQueue), on the bytes it then takes
    if (!cur && !this.busy) this.runQueue();
    return !e.runner.paused;
  }

  /** FilterContext.holdBatch: hold the batch being filtered until the returned function is called (once). */
  private holdBatch(): () => void {
    const cur = this.current;
    if (!cur) throw new Error('holdBatch() is only valid within filter()');
    cur.receipt.hold();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      cur.receipt.release();
    };
  }

  private ingest(input: InputRunner, events: LogEvent[], opts: EmitOptions | undefined): boolean {
    if (input.stopped && input.finished) {
      this.log.debug({ plugin: input.id }, 'emit after stop ignored');
    }
    const bytes = opts?.bytes ?? estimateBytes(events);
    input.admit(bytes, events.length);
    // until the batch is through the filters and held as bytes, its input size stands in
    input.charge(bytes);
    // filesystem storage: a batch is stored once its chunk files are written, and its input's
    // offsets and acks go then (the disk holds it); in memory, stored now and done when delivered
    const durable = input.storage === 'filesystem';
    const receipt = new Receipt(durable ? () => (opts?.onStored?.(), opts?.onDone?.()) : opts?.onDone);
    const q: Queued = { tag: opts?.tag ?? input.tag, events, receipt, input, provisional: bytes, origin: { root: input } };
    if (this.busy || this.queue.length > 0) this.queue.push(q);
    else {
      this.process(q, q.events, 0);
      if (!this.busy && this.queue.length > 0) this.runQueue(); // what filters re-emitted
    }
    if (!durable) opts?.onStored?.();
    if (input.checkLimit()) this.sealForPausedInput();
    this.storage.shed(input);
    return !input.paused;
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

  private process(q: Queued, events: LogEvent[], from: number): void {
    const { tag, receipt, input, origin } = q;
    const route = this.route(tag);
    let batch = events;
    const perEvent = q.provisional / Math.max(1, q.events.length);
    if (origin.after !== undefined && from === 0) from = route.filters.indexOf(origin.after) + 1;
    for (let i = from; i < route.filters.length; i++) {
      const f = route.filters[i]!;
      if (f === origin.skip) continue;
      const before = batch.length;
      let r: LogEvent[] | Promise<LogEvent[]>;
      this.current = q;
      // the batch as it came: a filter may compact the array in place before it throws
      const inputBatch = batch.slice();
      try {
        r = f.instance.filter(batch, tag);
      } catch (err) {
        r = this.oneByOne(q, f, inputBatch, tag, err);
      } finally {
        this.current = undefined;
      }
      if (!Array.isArray(r)) {
        this.busy = true;
        r.then(
          (out) => out,
          (err: unknown) => this.oneByOne(q, f, inputBatch, tag, err),
        ).then((out) => {
          countFilter(f, before, out.length, perEvent);
          this.busy = false;
          this.process(q, out, i + 1);
          if (input.checkLimit()) this.sealWhenIdle = true;
          this.runQueue();
        });
        return;
      }
      countFilter(f, before, r.length, perEvent);
      batch = r;
    }
    if (batch.length > 0 && route.outputs.length > 0) {
      const enc = encodeEvents(batch);
      if (enc.unencodable !== null) this.dropUnencodable(input, tag, enc.unencodable.count, enc.unencodable.reason, enc.unencodable.first);
      const durable = input.storage === 'filesystem';
      for (const o of route.outputs) o.append(tag, enc.batch, receipt, input, durable);
    }
    input.charge(-q.provisional);
    q.provisional = 0;
    receipt.release();
  }

  /**
   * Records that cannot be written as JSON (a cycle, nesting deeper than the stack: JSON parsed
   * from log data is depth-bounded, so only a plugin can make one) never reach a buffer. This is
   * their dead letter: there are no bytes to put in a file, so they are dropped alone, counted
   * in the input's dropped_records, and the first is logged as a capped, redacted excerpt.
   */
  private dropUnencodable(input: InputRunner, tag: string, n: number, reason: string, first: LogEvent): void {
    this.dropped += n;
    input.metrics.add('dropped_records', n);
    const shown = excerpt(inspect(first.record, { depth: 4, breakLength: Infinity, maxStringLength: 200, maxArrayLength: 20 }), 300);
    this.log.error({ plugin: input.id, tag, records: n }, `dropped ${n} record(s) that cannot be encoded as JSON: ${reason}; the first: ${shown}`);
  }

  private runQueue(): void {
    while (!this.busy && this.queue.length > 0) {
      const q = this.queue.shift()!;
      this.process(q, q.events, 0);
      if (!this.busy && q.input.checkLimit()) this.sealWhenIdle = true;
    }
    if (!this.busy && this.queue.length === 0) {
      if (this.sealWhenIdle) {
        this.sealWhenIdle = false;
        this.tick();
      }
      this.idleWaiter?.();
    }
  }

  private filterFailed(f: FilterRunner, err: unknown): void {
    f.metrics.add('errors');
    f.log.error(`filter failed: ${errorLine(err)}`);
  }

  /** A filter threw on a batch: each record alone again (see filterEachAlone), with `q` current. */
  private oneByOne(q: Queued, f: FilterRunner, batch: LogEvent[], tag: string, first: unknown): LogEvent[] | Promise<LogEvent[]> {
    const call = (events: LogEvent[]): LogEvent[] | Promise<LogEvent[]> => {
      this.current = q;
      try {
        return f.instance.filter(events, tag);
      } finally {
        this.current = undefined;
      }
    };
    return filterEachAlone(f, batch, first, call, (n) => (this.dropped += n));
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
    for (const o of this.outputs) o.probeDisk();
    this.storage.checkChunksOverlimit();
    for (const o of this.outputs) o.tick();
    eventBuffers.trim(POOL_IDLE_MS);
    trimScratch();
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
      await safeCall(i.instance?.stop.bind(i.instance), i.log);
    }
    for (const f of this.filters) {
      try {
        f.instance.flushHeld?.();
      } catch (err) {
        this.filterFailed(f, err);
      }
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
      // batches still waiting on an asynchronous filter are not delivered either
      for (const q of this.queue.splice(0)) {
        this.dropped += q.events.length;
        q.input.charge(-q.provisional);
        q.receipt.abandon();
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
