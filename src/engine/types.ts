import type { OptionSpec, PluginOptions } from '../config/types.js';
import type { Logger } from '../log.js';
import type { ParserLookup } from '../parsers/types.js';
import type { EventData } from './event-data.js';

/** One log record. `time` is epoch milliseconds (fractions keep micro/nanoseconds). */
export interface LogEvent {
  time: number;
  record: Record<string, unknown>;
}

/**
 * What an output is asked to deliver: events of one tag, buffered together, as bytes (see
 * EventData): `data.times[i]` and `data.json(i)` for event i; `data.record(i)` decodes one.
 */
export interface Chunk {
  id: string;
  tag: string;
  data: EventData;
  /** 0 on the first flush, +1 on every retry. */
  attempt: number;
}

/**
 * An output's verdict on a chunk.
 * - ok: delivered (all of it).
 * - drop: will never be delivered; counted and logged with `reason`. `count` narrows how many
 *   events were dropped when part of the chunk was delivered (default: all of them).
 * - retry: try again later (after `retryAfterMs` if the server said so). With `only` (positions
 *   in `chunk.data`, ascending), just those events are retried: the rest were delivered (or
 *   dropped, counted in `dropped`).
 */
export type FlushResult =
  | { status: 'ok'; dropped?: number; dropReason?: string }
  | { status: 'drop'; reason: string; count?: number }
  | { status: 'retry'; reason: string; retryAfterMs?: number; only?: number[]; dropped?: number; dropReason?: string };

export type PluginKind = 'input' | 'filter' | 'output';

/** Counters every plugin instance reports; the engine keeps the common ones itself. */
export interface PluginMetrics {
  /** Add to a named counter of this instance (`errors`, `retries`, `dropped_records`, …). */
  add(counter: string, n?: number): void;
  /** Report a value read when metrics are scraped (`upstream_total_connections`, …). */
  gauge?(name: string, read: () => number): void;
}

/** What every plugin instance gets. */
export interface PluginContext {
  /** Instance name for logs and metrics: the `alias`, else `<name>.<index>` (`tail.0`). */
  id: string;
  options: PluginOptions;
  log: Logger;
  metrics: PluginMetrics;
  /** Parsers declared in the config's `parsers:` section, plus the built-in ones. */
  parsers: ParserLookup;
  /** Aborted when Wren stops. */
  signal: AbortSignal;
  /** The config file's folder: relative paths in options resolve from here. */
  baseDir: string;
  /** The environment Wren runs with (proxies, AWS settings); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface EmitOptions {
  /** Tag for this batch; default the input's `tag`. */
  tag?: string;
  /** Bytes this batch took as read, for `mem_buf_limit` accounting; estimated if absent. */
  bytes?: number;
  /**
   * Called once, when every event of this batch has left Wren: delivered by (or dropped from) every
   * output it was routed to. Inputs with offsets (tail) commit their position here.
   */
  onDone?: () => void;
  /**
   * Called once, when the batch is stored: with memory buffering, before `emit` returns; with
   * filesystem storage (`storage.type filesystem`), once its chunk is written (and synced per
   * `storage.sync`). Inputs that acknowledge to a client (forward `ack`, http 201) answer here.
   */
  onStored?: () => void;
}

export interface InputContext extends PluginContext {
  /** The input's `tag` option (default: the input's name). */
  tag: string;
  /**
   * Hand a batch of events to the pipeline. Synchronous: when it returns, the batch is buffered.
   * Returns false when the input has reached its `mem_buf_limit`: stop reading until `resume()`.
   */
  emit(events: LogEvent[], opts?: EmitOptions): boolean;
  /** A bounded input (dummy `samples`, stdin at EOF, tail `exit_on_eof`) has emitted everything. */
  done(): void;
  /** True while the engine holds this input paused (over `mem_buf_limit`). */
  isPaused(): boolean;
}

export interface InputInstance {
  start(): void | Promise<void>;
  /** Stop reading until `resume()`; already-read data stays buffered. */
  pause?(): void;
  resume?(): void;
  /** Stop for good: close files and sockets. Must not emit after it resolves. */
  stop(): void | Promise<void>;
}

/**
 * A filter's way back to the top of the pipeline, as Fluent Bit's emitter input (rewrite_tag).
 * It runs like an input named `id`: its own `mem_buf_limit`, metrics and receipts.
 */
export interface FilterEmitter {
  readonly id: string;
  /**
   * Hand a batch to the pipeline under `tag`: it meets, from the first, every filter matching `tag`
   * except the one that owns this emitter, then the outputs, after the batch being filtered.
   * Called from within `filter()`, the batch being filtered is held until this one has left Wren
   * (its input's offsets and acks wait for the copy), and while the emitter is over its limit the
   * inputs feeding it are paused. Never refuses a batch; returns false while over the limit.
   */
  emit(events: LogEvent[], tag: string, bytes?: number, onDone?: () => void): boolean;
}

export interface FilterEmitterOptions {
  /** Instance name (metrics, logs); must not be another instance's name. */
  name: string;
  memBufLimit: number;
  /**
   * Emitted batches continue with the filters after the owner (same tag: a filter that only holds
   * records back, as multiline) instead of from the first filter matching their tag (rewrite_tag).
   */
  continueAfterOwner?: boolean;
}

export interface FilterContext extends PluginContext {
  /** Create this filter's emitter, in `create()`. Throws a ConfigError when `name` is taken. Set by the pipeline. */
  createEmitter?(o: FilterEmitterOptions): FilterEmitter;
  /**
   * Within `filter()`: keep the batch being filtered from counting as done (its input's offsets and
   * acks wait) until the returned function is called, for records the filter holds across batches
   * (multiline). Set by the pipeline.
   */
  holdBatch?(): () => void;
}

export interface FilterInstance {
  /**
   * Map a batch to a batch (may mutate and return the same array). Return a promise only when
   * the filter must wait (e.g. a lookup); the pipeline keeps batch order either way.
   */
  filter(events: LogEvent[], tag: string): LogEvent[] | Promise<LogEvent[]>;
  /** Wren is stopping (inputs stopped, outputs still running): hand on what is held across batches, through an emitter. */
  flushHeld?(): void;
  stop?(): void | Promise<void>;
}

export interface OutputInstance {
  /**
   * Wren runs (not called for `wren check`, which only builds and stops): an output that keeps
   * state of its own (the s3 output's store_dir) picks up what a previous run left here.
   */
  start?(): void | Promise<void>;
  /** Deliver one chunk. Never throws for delivery failures: it classifies them. */
  flush(chunk: Chunk): Promise<FlushResult>;
  stop?(): void | Promise<void>;
}

interface PluginDefinitionBase {
  name: string;
  /** Other names it answers to (`es` for `opensearch`). */
  aliases?: readonly string[];
  description: string;
  options: readonly OptionSpec[];
}

export interface InputDefinition extends PluginDefinitionBase {
  kind: 'input';
  create(ctx: InputContext): InputInstance | Promise<InputInstance>;
}

export interface FilterDefinition extends PluginDefinitionBase {
  kind: 'filter';
  create(ctx: FilterContext): FilterInstance | Promise<FilterInstance>;
}

export interface OutputDefinition extends PluginDefinitionBase {
  kind: 'output';
  create(ctx: PluginContext): OutputInstance | Promise<OutputInstance>;
}

export type PluginDefinition = InputDefinition | FilterDefinition | OutputDefinition;
