import { afterEach, beforeEach } from 'vitest';
import { FAST, FakeEngine, type FakeOptions, tempDir } from './fake-context.js';

/** A test's temp folder and the tail instance it runs. */
export interface TailHarness {
  /** The running test's fresh temp folder. */
  readonly dir: string;
  /** Create and start a tail instance with FAST and read_from_head on, then `options`; it is stopped after the test. */
  run(options: Record<string, string>, fake?: FakeOptions): Promise<FakeEngine>;
}

/**
 * Registers beforeEach/afterEach in the calling file or describe: each test gets a fresh temp
 * folder; afterwards `beforeStop` runs (e.g. killing a writer), the instance started by `run` is
 * stopped and the folder removed.
 */
export function useTailHarness(beforeStop?: () => void): TailHarness {
  let cleanup = (): void => undefined;
  let engine: FakeEngine | undefined;
  const harness = {
    dir: '',
    run: async (options: Record<string, string>, fake: FakeOptions = {}): Promise<FakeEngine> => {
      engine = new FakeEngine(fake);
      await engine.create({ ...FAST, read_from_head: 'on', ...options });
      await engine.instance.start();
      return engine;
    },
  };
  beforeEach(() => ({ dir: harness.dir, cleanup } = tempDir()));
  afterEach(async () => {
    beforeStop?.();
    await engine?.stop();
    engine = undefined;
    cleanup();
  });
  return harness;
}
