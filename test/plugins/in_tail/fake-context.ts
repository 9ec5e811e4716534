import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { resolveOptions } from '../../../src/config/options-resolve.js';
import type { RawEntry } from '../../../src/config/types.js';
import type { EmitOptions, InputContext, InputInstance, LogEvent } from '../../../src/engine/types.js';
import { createLogger } from '../../../src/log.js';
import { criParser } from '../../../src/parsers/cri.js';
import { dockerParser } from '../../../src/parsers/docker.js';
import type { MultilineLookup } from '../../../src/parsers/multiline/registry.js';
import type { Parser } from '../../../src/parsers/types.js';
import { tailInput } from '../../../plugins/in_tail/index.js';
import { FakeDelivery, type DeliveryOptions } from '../../helpers/fake-delivery.js';
import { until } from '../../helpers/until.js';

export interface Received {
  tag: string;
  event: LogEvent;
}

export interface FakeOptions extends DeliveryOptions {
  tag?: string;
  baseDir?: string;
  /** Multiline parsers the config defines (multiline_parsers:); default: the built-in ones. */
  multiline?: MultilineLookup;
}

/** A stand-in for the engine: records emitted batches, completes them, pauses over a limit. */
export class FakeEngine extends FakeDelivery {
  readonly received: Received[] = [];
  readonly counters = new Map<string, number>();
  readonly logs: Record<string, unknown>[] = [];
  doneCalls = 0;
  ctx!: InputContext;
  private readonly abort = new AbortController();

  constructor(protected override readonly opts: FakeOptions = {}) {
    super(opts);
  }

  /** Create the tail instance with these options (as a user writes them). */
  async create(options: Record<string, string | string[]>): Promise<InputInstance> {
    const entries: RawEntry[] = Object.entries(options).map(([key, value]) => ({ key, value, pos: { file: 'test.yaml', line: 1, col: 1 } }));
    const { options: resolved, errors } = resolveOptions({ kind: 'input', name: 'tail', entries, pos: { file: 'test.yaml', line: 1, col: 1 } },
      tailInput.options, 'input tail');
    if (errors.length > 0) throw errors[0];
    const logs = this.logs;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
        cb();
      },
    });
    const parsers = new Map<string, Parser>([['cri', criParser], ['docker', dockerParser],
      ['json', { name: 'json', parse: (t) => { try { return { record: JSON.parse(t) as Record<string, unknown> }; } catch { return null; } } }]]);
    this.ctx = {
      id: 'tail.0',
      options: resolved,
      log: createLogger('debug', sink),
      metrics: { add: (c, n = 1) => this.counters.set(c, (this.counters.get(c) ?? 0) + n) },
      parsers: { get: (n) => parsers.get(n), names: () => [...parsers.keys()], multiline: this.opts.multiline },
      signal: this.abort.signal,
      baseDir: this.opts.baseDir ?? process.cwd(),
      tag: this.opts.tag ?? 'tail',
      emit: (events, o) => this.emit(events, o),
      done: () => { this.doneCalls++; },
      isPaused: () => this.paused,
    };
    this.instance = await tailInput.create(this.ctx);
    return this.instance;
  }

  private emit(events: LogEvent[], o: EmitOptions = {}): boolean {
    const tag = o.tag ?? this.ctx.tag;
    for (const event of events) this.received.push({ tag, event });
    return this.take({ tag, events, bytes: o.bytes ?? 0, onDone: o.onDone, done: false });
  }

  logs_(msg: string): Record<string, unknown>[] {
    return this.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes(msg));
  }

  /** The `log` field of every record received, in order. */
  lines(key = 'log'): unknown[] {
    return this.received.map((r) => r.event.record[key]);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.instance.stop();
  }
}

/** Wait until `cond` holds (polling), or fail after `ms`. */
export { until };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wren-tail-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Options that make a test react fast. */
export const FAST = { refresh_interval: '100ms', watcher_interval: '50ms', rotate_wait: '200ms' } as const;
