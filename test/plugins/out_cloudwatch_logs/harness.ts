import { chunkOf as makeChunk } from '../../helpers/chunks.js';
import { CloudWatchLogsOutput } from '../../../plugins/out_cloudwatch_logs/cloudwatch-output.js';
import { cloudwatchLogsOutput } from '../../../plugins/out_cloudwatch_logs/index.js';
import type { RawValue } from '../../../src/config/types.js';
import type { Chunk, LogEvent } from '../../../src/engine/types.js';
import { startFakeCloudWatchLogs, type FakeCloudWatch, type FakeCloudWatchOptions } from '../../helpers/fake-cloudwatch-logs.js';
import { pluginContext, type CapturedContext } from '../../helpers/plugin-context.js';

export const KEY = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const STATIC_ENV: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_EC2_METADATA_DISABLED: 'true' };

export interface Harness {
  fake: FakeCloudWatch;
  out: CloudWatchLogsOutput;
  ctx: CapturedContext;
}

const closers: Array<() => Promise<void>> = [];

/** Close every fake and output the tests of a file opened (call in afterEach). */
export async function closeAll(): Promise<void> {
  for (const c of closers.splice(0).reverse()) await c();
}

export async function startFake(opts: Partial<FakeCloudWatchOptions> = {}): Promise<FakeCloudWatch> {
  const fake = await startFakeCloudWatchLogs({ keys: [{ accessKeyId: KEY, secretAccessKey: SECRET }], ...opts });
  closers.push(() => fake.close());
  return fake;
}

/** An output built the way the engine builds it (options resolved against the schema). */
export function makeOutput(entries: Array<[string, RawValue]>, env: NodeJS.ProcessEnv = STATIC_ENV, now?: () => number): { out: CloudWatchLogsOutput; ctx: CapturedContext } {
  const region: Array<[string, RawValue]> = entries.some(([k]) => k === 'region') ? [] : [['region', 'us-east-1']];
  const ctx = { ...pluginContext(cloudwatchLogsOutput, [['match', '*'], ...region, ...entries]), env };
  const out = new CloudWatchLogsOutput(ctx, { now });
  closers.push(() => out.stop());
  return { out, ctx };
}

/** A fake plus an output pointed at it. */
export async function harness(entries: Array<[string, RawValue]>, o: { fake?: Partial<FakeCloudWatchOptions>; env?: NodeJS.ProcessEnv; now?: () => number } = {}): Promise<Harness> {
  const fake = await startFake(o.fake);
  const { out, ctx } = makeOutput([['endpoint', fake.url], ...entries], o.env, o.now);
  return { fake, out, ctx };
}

export function chunkOf(events: LogEvent[], tag = 'app'): Chunk {
  return makeChunk(events, tag);
}

/** `n` events from `t0`, one ms apart, records `{ n: i, msg }`. */
export function numbered(n: number, t0 = Date.now() - 60_000, extra: Record<string, unknown> = {}): LogEvent[] {
  return Array.from({ length: n }, (_, i) => ({ time: t0 + i, record: { n: i, msg: `line ${i}`, ...extra } }));
}

/** Flush as the engine does (retries with `only`, no waiting): the shared output harness's. */
export { deliver, type Delivery } from '../../helpers/output-harness.js';

/** The `n` fields of the stored messages (whole-record JSON). */
export function storedNumbers(fake: FakeCloudWatch, group: string, stream: string): number[] {
  return fake.events(group, stream).map((e) => (JSON.parse(e.message) as { n: number }).n);
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
