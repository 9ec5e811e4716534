import { Writable } from 'node:stream';
import type { EmitOptions, InputContext, InputInstance, LogEvent } from '../../../src/engine/types.js';
import { createLogger } from '../../../src/log.js';
import { systemdInput } from '../../../plugins/in_systemd/index.js';
import { buildParsers } from '../../../src/parsers/registry.js';
import { resolvedOptions } from '../../helpers/plugin-context.js';

export interface Batch { tag: string; events: LogEvent[]; bytes: number; onDone?: () => void; done: boolean }

/** A stand-in for the engine around one systemd input: records batches, delivers them (auto or by hand), pauses over a limit. */
export class JournalEngine {
  readonly batches: Batch[] = [];
  readonly logs: Record<string, unknown>[] = [];
  paused = false;
  instance!: InputInstance;
  private outstanding = 0;
  private readonly abort = new AbortController();

  constructor(private readonly opts: { delivery?: 'auto' | 'manual'; limitEvents?: number } = {}) {}

  get events(): LogEvent[] {
    return this.batches.flatMap((b) => b.events);
  }

  async start(options: Array<[string, string | string[]]>): Promise<this> {
    const logs = this.logs;
    const sink = new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l) logs.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
    const ctx: InputContext = {
      id: 'systemd.0',
      options: resolvedOptions(systemdInput, options),
      log: createLogger('debug', sink),
      metrics: { add: () => undefined },
      parsers: buildParsers([]).lookup,
      signal: this.abort.signal,
      baseDir: process.cwd(),
      tag: resolvedOptions(systemdInput, options).optStr('tag') ?? 'systemd.0',
      emit: (events, o) => this.emit(events, o),
      done: () => undefined,
      isPaused: () => this.paused,
    };
    this.instance = await systemdInput.create(ctx);
    await this.instance.start();
    return this;
  }

  private emit(events: LogEvent[], o: EmitOptions = {}): boolean {
    const batch: Batch = { tag: o.tag ?? 'systemd.0', events, bytes: o.bytes ?? 0, onDone: o.onDone, done: false };
    this.batches.push(batch);
    this.outstanding += events.length;
    if ((this.opts.delivery ?? 'auto') === 'auto') setImmediate(() => this.finish(batch));
    if (this.opts.limitEvents !== undefined && this.outstanding >= this.opts.limitEvents) this.paused = true;
    return !this.paused;
  }

  finish(batch: Batch): void {
    if (batch.done) return;
    batch.done = true;
    this.outstanding -= batch.events.length;
    batch.onDone?.();
    if (this.paused && (this.opts.limitEvents === undefined || this.outstanding < this.opts.limitEvents)) {
      this.paused = false;
      this.instance.resume?.();
    }
  }

  finishAll(): void {
    for (const b of this.batches) this.finish(b);
  }

  /** From now on every batch is delivered on the next tick. */
  autoDeliver(): void {
    this.opts.delivery = 'auto';
    this.finishAll();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.instance.stop();
  }
}

export async function until(ok: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
