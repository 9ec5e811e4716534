import type { Logger } from './log.js';

/**
 * A logger that writes nothing, without loading pino: for `wren check`, which builds every plugin
 * but runs none. Only the surface Wren's code calls is there.
 */
export function silentLogger(): Logger {
  const noop = () => undefined;
  const log = {
    level: 'silent',
    trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop, silent: noop,
    isLevelEnabled: () => false,
    child: () => log,
    bindings: () => ({}),
    flush: noop,
  };
  return log as unknown as Logger;
}
