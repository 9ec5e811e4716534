import type { RawValue } from '../../src/config/types.js';
import type { Chunk, FlushResult, LogEvent, OutputDefinition, OutputInstance } from '../../src/engine/types.js';
import { chunkOf, keepForRetry } from './chunks.js';
import { pluginContext, type CapturedContext } from './plugin-context.js';

/** Helpers for output tests: build an output as the engine does, deliver chunks as it does. */
export const KEY = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const STATIC_ENV: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/nonexistent/wren-test/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/wren-test/aws-credentials',
};

const closers: Array<() => Promise<void> | void> = [];

export function onClose(f: () => Promise<void> | void): void {
  closers.push(f);
}

/** Close what the tests of a file opened (call in afterEach). */
export async function closeAll(): Promise<void> {
  for (const c of closers.splice(0).reverse()) await c();
}

export async function makeOutput<T extends OutputInstance = OutputInstance>(def: OutputDefinition, entries: Array<[string, RawValue]>, env: NodeJS.ProcessEnv = STATIC_ENV): Promise<{ out: T; ctx: CapturedContext }> {
  const ctx = { ...pluginContext(def, [['match', '*'], ...entries]), env };
  const out = (await def.create(ctx)) as T;
  onClose(() => out.stop?.());
  return { out, ctx };
}

export interface Delivery {
  results: FlushResult[];
  dropped: number;
}

/** Flush as the engine does: on retry, again with `only` (no waiting) until ok or drop. */
export async function deliver(out: OutputInstance, events: LogEvent[] | Chunk, tag = 'app', maxAttempts = 30): Promise<Delivery> {
  const chunk = Array.isArray(events) ? chunkOf(events, tag) : events;
  const results: FlushResult[] = [];
  let dropped = 0;
  for (let a = 0; a < maxAttempts; a++) {
    const r = await out.flush(chunk);
    results.push(r);
    if (r.status === 'ok') return { results, dropped: dropped + (r.dropped ?? 0) };
    if (r.status === 'drop') return { results, dropped: dropped + (r.count ?? chunk.data.count) };
    dropped += r.dropped ?? 0;
    keepForRetry(chunk, r);
  }
  throw new Error(`not delivered after ${maxAttempts} attempts: ${JSON.stringify(results.at(-1))}`);
}

/** `n` events one ms apart, records `{ n: i, msg }` (+ extra). */
export function numbered(n: number, t0 = Date.parse('2025-03-14T09:00:00Z'), extra: (i: number) => Record<string, unknown> = () => ({})): LogEvent[] {
  return Array.from({ length: n }, (_, i) => ({ time: t0 + i, record: { n: i, msg: `line ${i}`, ...extra(i) } }));
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
