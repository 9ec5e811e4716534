import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they appear. */
export const SECRET_KEYS = [
  'secretAccessKey', 'SecretAccessKey', 'sessionToken', 'SessionToken', 'Token', 'token',
  'aws_secret_access_key', 'aws_session_token', 'http_passwd', 'password', 'passwd',
  'authorization', 'Authorization', 'x-amz-security-token', 'X-Amz-Security-Token',
];

const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

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

/** Log lines written so far by level (Fluent Bit's `fluentbit_logger_logs_total{message_type}`). */
export function logCounts(): ReadonlyMap<string, number> {
  return counts;
}

/**
 * JSON lines to stderr (fd 2), or appended to a file (`service.log_file`), synchronous so nothing
 * is lost on exit. Opening a file that cannot be written throws (ENOENT, EACCES).
 */
export function createLogger(level: string, destination: number | NodeJS.WritableStream | { file: string } = 2): Logger {
  const dest = typeof destination === 'number'
    ? pino.destination({ fd: destination, sync: true })
    : 'file' in destination ? pino.destination({ dest: destination.file, sync: true, append: true }) : destination;
  return pino(
    {
      level: toPinoLevel(level),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '***' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method, level) {
          const t = LEVEL_NAMES[level];
          if (t !== undefined) counts.set(t, counts.get(t)! + 1);
          method.apply(this, args);
        },
      },
    },
    dest,
  );
}
