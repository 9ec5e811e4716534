/**
 * Milliseconds on a monotonic clock (since the process started), for timing and deadlines:
 * `performance.now()` without the global `performance`, whose first use loads node:perf_hooks and
 * its internals (about 0.3 MB of RSS for a clock).
 */
export function monotonicMs(): number {
  return process.uptime() * 1000;
}
