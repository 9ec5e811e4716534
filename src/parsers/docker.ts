import { parseLogJsonObject } from '../codec/log-json.js';
import { rfc3339ToMs } from './cri.js';
import type { ParseResult, Parser } from './types.js';

/**
 * Docker's json-file log format: one JSON object a line,
 * `{"log":"hello\n","stream":"stdout","time":"2024-05-01T12:34:56.123456789Z"}`.
 * A `log` that does not end in `\n` is a part of a longer line (Docker splits at 16 KiB); the
 * tail input's `multiline.parser docker` joins the parts.
 */

/** The line's JSON object when it is a docker json-file line (an object whose `log` is a string), else null. */
export function parseDockerLine(text: string): Record<string, unknown> | null {
  const obj = parseJsonObject(text);
  return obj !== null && typeof obj.log === 'string' ? obj : null;
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  if (text.charCodeAt(0) !== 0x7b) return null; // '{'
  return parseLogJsonObject(text) ?? null;
}

/** Epoch ms of a record's `time` text (RFC 3339, nanoseconds kept to µs), or NaN. */
export function dockerTime(record: Record<string, unknown>): number {
  const t = record.time;
  return typeof t === 'string' ? rfc3339ToMs(t) : NaN;
}

/**
 * Fluent Bit's parsers.conf `docker` parser: JSON, time from `time` (`%Y-%m-%dT%H:%M:%S.%L`),
 * `time` kept in the record. Null when the text is not a JSON object.
 */
export function parseDocker(text: string): ParseResult | null {
  const record = parseJsonObject(text);
  if (record === null) return null;
  const time = dockerTime(record);
  return Number.isNaN(time) ? { record } : { time, record };
}

/** The `docker` parser for the parser registry. */
export const dockerParser: Parser = { name: 'docker', parse: parseDocker };
