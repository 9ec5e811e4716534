import type { RawValue } from '../../../src/config/types.js';
import type { EmitOptions, InputContext, LogEvent } from '../../../src/engine/types.js';
import { forwardInput } from '../../../plugins/in_forward/index.js';
import type { ForwardInput } from '../../../plugins/in_forward/forward-input.js';
import { pluginContext, type CapturedContext } from '../../helpers/plugin-context.js';
import { until } from '../../helpers/until.js';

/** One emit the input made. */
export interface Emitted {
  tag: string;
  events: LogEvent[];
  bytes?: number;
}

export interface ForwardHarness {
  input: ForwardInput;
  /** The TCP port it listens on (undefined for a unix socket). */
  port: number;
  emitted: Emitted[];
  /** Every record emitted so far, in order. */
  records(): Array<Record<string, unknown>>;
  events(): LogEvent[];
  ctx: CapturedContext;
  /** While true, emit returns false and isPaused() is true, as over mem_buf_limit. */
  setPaused(p: boolean): void;
  /** Pause (as setPaused(true)) inside the emit that takes the records emitted past `n`. */
  pauseOver(n: number): void;
  stop(): Promise<void>;
}

/**
 * A forward input on 127.0.0.1:0 (unless the options say otherwise) whose emits are recorded.
 * Storing is immediate, as with memory buffering: onStored runs inside emit.
 */
export async function startForward(entries: Array<[string, RawValue]> = [], baseDir?: string): Promise<ForwardHarness> {
  const base = pluginContext(forwardInput, [['listen', '127.0.0.1'], ['port', '0'], ...entries], baseDir);
  const emitted: Emitted[] = [];
  let paused = false;
  let limit = Infinity;
  let count = 0;
  const ctx: InputContext = {
    ...base,
    tag: 'forward.0',
    emit: (events: LogEvent[], opts?: EmitOptions) => {
      emitted.push({ tag: opts?.tag ?? 'forward.0', events, bytes: opts?.bytes });
      count += events.length;
      if (count > limit) paused = true;
      opts?.onStored?.();
      return !paused;
    },
    done: () => {},
    isPaused: () => paused,
  };
  const input = (await forwardInput.create(ctx)) as ForwardInput;
  await input.start();
  return {
    input,
    port: input.port ?? 0,
    emitted,
    records: () => emitted.flatMap((e) => e.events.map((ev) => ev.record)),
    events: () => emitted.flatMap((e) => e.events),
    ctx: base,
    setPaused: (p) => {
      const was = paused;
      paused = p;
      limit = Infinity;
      if (was && !p) input.resume();
    },
    pauseOver: (n) => {
      limit = n;
    },
    stop: () => input.stop(),
  };
}

/** Resolve once `cond` holds (checked every 5 ms), or fail after `ms` naming `what`. */
export const waitFor = (cond: () => boolean, what: string, ms = 5000): Promise<void> => until(cond, ms, what, 5);
