import { Writable } from 'node:stream';
import type { EmitOptions, InputContext, LogEvent } from '../../../src/engine/types.js';
import { createLogger } from '../../../src/log.js';
import { systemdInput } from '../../../plugins/in_systemd/index.js';
import { buildParsers } from '../../../src/parsers/registry.js';
import { resolvedOptions } from '../../helpers/plugin-context.js';
import { FakeDelivery, type Batch } from '../../helpers/fake-delivery.js';
import { until } from '../../helpers/until.js';

export type { Batch };

/** A stand-in for the engine around one systemd input: records batches, delivers them (auto or by hand), pauses over a limit. */
export class JournalEngine extends FakeDelivery {
  readonly logs: Record<string, unknown>[] = [];
  private readonly abort = new AbortController();

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
    return this.take({ tag: o.tag ?? 'systemd.0', events, bytes: o.bytes ?? 0, onDone: o.onDone, done: false });
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

export { until };
