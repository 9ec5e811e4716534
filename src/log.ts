import { pino, type DestinationStream, type Logger } from 'pino';
import { redact, redactValue } from './redact.js';

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

/**
 * Every log line passes through `redact()` (src/redact.ts) on its way out: the message, every
 * field, bindings and serialized errors, whatever a call site put in them.
 */
export function redactLine(line: string): string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return redact(line);
  }
  return JSON.stringify(redactValue(v)) + (line.endsWith('\n') ? '\n' : '');
}

function redacting(dest: { write(s: string): unknown }): DestinationStream {
  return { write: (s: string) => void dest.write(redactLine(s)) };
}

/** JSON lines to stderr (fd 2), synchronous so nothing is lost on exit. */
export function createLogger(level: string, destination: number | NodeJS.WritableStream = 2): Logger {
  const dest = redacting(typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination);
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
