import { pino, type DestinationStream, type Logger } from 'pino';
import { isoTime } from './codec/iso-time.js';
import { countLogLine, toPinoLevel } from './log-levels.js';
import { redact, redactValue } from './redact.js';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they appear. */
export const SECRET_KEYS = [
  'secretAccessKey', 'SecretAccessKey', 'sessionToken', 'SessionToken', 'Token', 'token',
  'aws_secret_access_key', 'aws_session_token', 'http_passwd', 'password', 'passwd',
  'authorization', 'Authorization', 'x-amz-security-token', 'X-Amz-Security-Token',
];

const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export { logCounts, toPinoLevel, type LogLevel } from './log-levels.js';

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

/**
 * JSON lines to stderr (fd 2), or appended to a file (`service.log_file`), synchronous so nothing
 * is lost on exit. Opening a file that cannot be written throws (ENOENT, EACCES). Every line is
 * redacted on its way out.
 */
export function createLogger(level: string, destination: number | NodeJS.WritableStream | { file: string } = 2): Logger {
  const dest = redacting(typeof destination === 'number'
    ? pino.destination({ fd: destination, sync: true })
    : 'file' in destination ? pino.destination({ dest: destination.file, sync: true, append: true }) : destination);
  return pino(
    {
      level: toPinoLevel(level),
      base: { pid: process.pid },
      // pino's isoTime calls toISOString: see src/codec/iso-time.ts
      timestamp: () => `,"time":"${isoTime(Date.now())}"`,
      redact: { paths: REDACT_PATHS, censor: '***' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method, level) {
          countLogLine(level);
          method.apply(this, args);
        },
      },
    },
    dest,
  );
}
