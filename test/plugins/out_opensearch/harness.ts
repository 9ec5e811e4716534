import { chunkOf as makeChunk, keepForRetry } from '../../helpers/chunks.js';
import { opensearchOutput } from '../../../plugins/out_opensearch/index.js';
import type { RawValue } from '../../../src/config/types.js';
import type { Chunk, FlushResult, LogEvent, OutputInstance } from '../../../src/engine/types.js';
import { startFakeOpenSearch, type FakeOpenSearch, type FakeOpenSearchOptions } from '../../helpers/fake-opensearch.js';
import { pluginContext, type CapturedContext } from '../../helpers/plugin-context.js';

export const KEY = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
/** The environment of a signed output with static example keys (IMDS off). */
export const STATIC_ENV: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_EC2_METADATA_DISABLED: 'true' };

let closers: Array<() => Promise<void>> = [];

export async function closeAll(): Promise<void> {
  for (const c of closers.reverse()) await c();
  closers = [];
}

export function onClose(c: () => Promise<void>): void {
  closers.push(c);
}

/** A fake that accepts the example keys (signed with region us-east-1). */
export async function startFake(o: FakeOpenSearchOptions = {}): Promise<FakeOpenSearch> {
  const f = await startFakeOpenSearch({ credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }], ...o });
  closers.push(() => f.close());
  return f;
}

export interface TestOutput {
  out: OutputInstance;
  ctx: CapturedContext;
}

/** An opensearch output pointed at the fake, signed with the example keys unless told otherwise. */
export async function startOutput(fake: FakeOpenSearch, entries: Array<[string, RawValue]>, o: { env?: NodeJS.ProcessEnv; signed?: boolean; baseDir?: string } = {}): Promise<TestOutput> {
  const base: Array<[string, RawValue]> = [['match', '*'], ['host', '127.0.0.1'], ['port', String(fake.port)], ['net.io_timeout', '5s']];
  if (o.signed ?? true) {
    base.push(['aws_auth', 'on']);
    if (!entries.some(([k]) => k === 'aws_region')) base.push(['aws_region', 'us-east-1']);
  }
  const ctx: CapturedContext = { ...pluginContext(opensearchOutput, [...base, ...entries], o.baseDir), env: o.env ?? STATIC_ENV };
  const out = await opensearchOutput.create(ctx);
  closers.push(async () => void (await out.stop?.()));
  return { out, ctx };
}

export const seqEvents = (n: number, extra: (i: number) => Record<string, unknown> = () => ({}), time = Date.UTC(2025, 2, 14, 9)): LogEvent[] =>
  Array.from({ length: n }, (_, i) => ({ time: time + i, record: { seq: i, msg: `message ${i}`, ...extra(i) } }));

export const chunkOf = (events: LogEvent[], tag = 'app'): Chunk => makeChunk(events, tag, 'c1');

/**
 * Flush a chunk the way the engine does (without the waits): a retry with `only` keeps just
 * those events, a plain retry keeps them all; until ok or `maxRounds`.
 */
export async function deliver(out: OutputInstance, chunk: Chunk, maxRounds = 30): Promise<FlushResult[]> {
  const results: FlushResult[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const r = await out.flush(chunk);
    results.push(r);
    if (r.status !== 'retry') return results;
    keepForRetry(chunk, r);
  }
  throw new Error(`not delivered after ${maxRounds} flushes: ${JSON.stringify(results.at(-1))}`);
}

/** The `seq` of stored documents, sorted. */
export function storedSeqs(fake: FakeOpenSearch, index?: string): number[] {
  return fake.documents(index).map((d) => d.seq as number).sort((a, b) => a - b);
}
