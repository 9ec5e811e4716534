import type { OptionSpec } from '../config/types.js';
import type { LogEvent } from '../engine/types.js';

/**
 * JSON encodings shared by the stdout, file and http outputs, as Fluent Bit writes them:
 * each record gets its time under `json_date_key` (unless that is `false`), in `json_date_format`.
 */

export type DateFormat = 'double' | 'epoch' | 'epoch_ms' | 'iso8601' | 'java_sql_timestamp';

export const JSON_DATE_OPTIONS: readonly OptionSpec[] = [
  { key: 'json_date_key', type: 'string', default: 'date', desc: "Key that carries the record's time in JSON output; 'false' leaves it out." },
  {
    key: 'json_date_format',
    type: 'string',
    default: 'double',
    enum: ['double', 'epoch', 'epoch_ms', 'iso8601', 'java_sql_timestamp'],
    desc: 'How that time is written: double (epoch seconds with fraction), epoch, epoch_ms, iso8601, java_sql_timestamp.',
  },
];

export interface DateOptions {
  /** null: no date key. */
  key: string | null;
  format: DateFormat;
}

export function dateOptions(key: string, format: string): DateOptions {
  const k = key.trim();
  return { key: k === '' || k.toLowerCase() === 'false' || k.toLowerCase() === 'off' ? null : k, format: format as DateFormat };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The time of an event (epoch ms, fractional) as JSON text in the given format. */
export function formatTime(ms: number, format: DateFormat): string {
  switch (format) {
    case 'double':
      return (ms / 1000).toFixed(6);
    case 'epoch':
      return String(Math.floor(ms / 1000));
    case 'epoch_ms':
      return String(Math.floor(ms));
    case 'iso8601':
    case 'java_sql_timestamp': {
      const d = new Date(Math.floor(ms));
      const micros = Math.floor((ms - Math.floor(ms / 1000) * 1000) * 1000);
      const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros, 6)}`;
      return format === 'iso8601' ? `"${date}T${time}Z"` : `"${date} ${time}"`;
    }
  }
}

/** One record as a JSON object, with the date key first (no copy of the record). */
export function encodeRecord(e: LogEvent, date: DateOptions): string {
  const body = JSON.stringify(e.record);
  if (date.key === null) return body;
  const head = `{${JSON.stringify(date.key)}:${formatTime(e.time, date.format)}`;
  return body.length <= 2 ? head + '}' : head + ',' + body.slice(1);
}

/** NDJSON: one object per line, each line ending in `\n`. */
export function encodeJsonLines(events: readonly LogEvent[], date: DateOptions): string {
  let out = '';
  for (let i = 0; i < events.length; i++) out += encodeRecord(events[i]!, date) + '\n';
  return out;
}

/** A JSON array of objects. */
export function encodeJsonArray(events: readonly LogEvent[], date: DateOptions): string {
  let out = '[';
  for (let i = 0; i < events.length; i++) out += (i ? ',' : '') + encodeRecord(events[i]!, date);
  return out + ']';
}

/** Objects one after another with no separator (Fluent Bit's json_stream). */
export function encodeJsonStream(events: readonly LogEvent[], date: DateOptions): string {
  let out = '';
  for (let i = 0; i < events.length; i++) out += encodeRecord(events[i]!, date);
  return out;
}

/** Fluent Bit's readable form: `[0] tag: [1700000000.123456, {"k":"v"}]`. */
export function encodeReadable(events: readonly LogEvent[], tag: string, startIndex = 0): string {
  let out = '';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    out += `[${startIndex + i}] ${tag}: [${(e.time / 1000).toFixed(9)}, ${JSON.stringify(e.record)}]\n`;
  }
  return out;
}
