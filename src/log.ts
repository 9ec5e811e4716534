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

/** JSON lines to stderr (fd 2), synchronous so nothing is lost on exit. */
export function createLogger(level: string, destination: number | NodeJS.WritableStream = 2): Logger {
  const dest = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination;
  return pino(
    {
      level: toPinoLevel(level),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '***' },
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
}
