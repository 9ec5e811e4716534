import type { OptionSpec, PluginOptions } from '../config/types.js';
import type { Logger } from '../log.js';
import type { ParserLookup } from '../parsers/types.js';

/** One log record. `time` is epoch milliseconds (fractions keep micro/nanoseconds). */
export interface LogEvent {
  time: number;
  record: Record<string, unknown>;
}

/** What an output is asked to deliver: events of one tag, buffered together. */
export interface Chunk {
  id: string;
  tag: string;
  events: LogEvent[];
  /** Approximate size of the events as read (input bytes), for buffer accounting. */
  bytes: number;
  /** 0 on the first flush, +1 on every retry. */
  attempt: number;
}

/**
 * An output's verdict on a chunk.
 * - ok: delivered (all of it).
 * - drop: will never be delivered; counted and logged with `reason`. `count` narrows how many
 *   events were dropped when part of the chunk was delivered (default: all of them).
 * - retry: try again later (after `retryAfterMs` if the server said so). With `only`, just those
 *   events are retried: the rest were delivered (or dropped, counted in `dropped`).
 */
export type FlushResult =
  | { status: 'ok'; dropped?: number; dropReason?: string }
  | { status: 'drop'; reason: string; count?: number }
  | { status: 'retry'; reason: string; retryAfterMs?: number; only?: LogEvent[]; dropped?: number; dropReason?: string };

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

export interface FilterInstance {
  /**
   * Map a batch to a batch (may mutate and return the same array). Return a promise only when
   * the filter must wait (e.g. a lookup); the pipeline keeps batch order either way.
   */
  filter(events: LogEvent[], tag: string): LogEvent[] | Promise<LogEvent[]>;
  stop?(): void | Promise<void>;
}

export interface OutputInstance {
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
  create(ctx: PluginContext): FilterInstance | Promise<FilterInstance>;
}

export interface OutputDefinition extends PluginDefinitionBase {
  kind: 'output';
  create(ctx: PluginContext): OutputInstance | Promise<OutputInstance>;
}

export type PluginDefinition = InputDefinition | FilterDefinition | OutputDefinition;
