/** Log levels as Fluent Bit names them, and the count of log lines written; no pino here (it loads only when a run logs). */

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Fluent Bit's `log_level` names → pino levels. */
export function toPinoLevel(level: string): string {
  switch (level.toLowerCase()) {
    case 'off': return 'silent';
    case 'warning': return 'warn';
    default: return level.toLowerCase();
  }
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' };
const counts = new Map<string, number>(['error', 'warn', 'info', 'debug', 'trace'].map((t) => [t, 0]));

/** Count one log line of a pino level (10 trace … 60 fatal). */
export function countLogLine(level: number): void {
  const t = LEVEL_NAMES[level];
  if (t !== undefined) counts.set(t, counts.get(t)! + 1);
}

/** Log lines written so far by level (Fluent Bit's `fluentbit_logger_logs_total{message_type}`). */
export function logCounts(): ReadonlyMap<string, number> {
  return counts;
}
