import { setFlagsFromString, getHeapSpaceStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps the process's memory near what it holds, for an agent that runs on every node under a
 * memory limit. V8 sizes itself for throughput: its young generation grows to 32 MB, and garbage
 * that outlived it (Buffer wrappers of request and response bodies) is collected only when the old
 * generation or the memory outside the heap has grown by tens of megabytes (up to 64 MB of dead
 * ArrayBuffers). Both are resident memory. So, every `periodMs`:
 * - once the young generation reaches `youngBytes`, it is kept from growing further;
 * - when the ArrayBuffers or the heap have grown by more than `slackBytes` since the last full
 *   collection, one is run now (a full collection of Wren's small heap takes a few milliseconds).
 * `WREN_MEMORY_GOVERNOR=off` turns it off (to measure what it costs or saves).
 */
export interface GovernorOptions {
  youngBytes: number;
  slackBytes: number;
  periodMs: number;
}

export interface MemoryGovernor {
  /** Full collections it ran, and their total time. */
  stats(): { collections: number; ms: number };
  stop(): void;
}

export const DEFAULT_GOVERNOR: GovernorOptions = { youngBytes: 8 * 1024 * 1024, slackBytes: 16 * 1024 * 1024, periodMs: 100 };

export function startMemoryGovernor(o: GovernorOptions = DEFAULT_GOVERNOR, env: NodeJS.ProcessEnv = process.env): MemoryGovernor | undefined {
  if (env.WREN_MEMORY_GOVERNOR === 'off') return undefined;
  let gc: () => void;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
  let youngCapped = false;
  let collections = 0;
  let ms = 0;
  let base = process.memoryUsage();
  const timer = setInterval(() => {
    if (!youngCapped) {
      const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      if (young !== undefined && young.space_size >= o.youngBytes) {
        setFlagsFromString('--semi-space-growth-factor=1');
        youngCapped = true;
      }
    }
    const m = process.memoryUsage();
    if (m.arrayBuffers - base.arrayBuffers > o.slackBytes || m.heapUsed - base.heapUsed > o.slackBytes) {
      const t = performance.now();
      gc();
      ms += performance.now() - t;
      collections++;
      base = process.memoryUsage();
    }
  }, o.periodMs);
  timer.unref();
  return {
    stats: () => ({ collections, ms }),
    stop: () => clearInterval(timer),
  };
}
