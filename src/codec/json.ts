import type { OptionSpec } from '../config/types.js';
import type { EventData } from '../engine/event-data.js';
import { ByteWriter } from './byte-writer.js';

/** Output `format` values shared by stdout, file and http (Fluent Bit's names). */
export type JsonFormat = 'json' | 'json_lines' | 'json_stream';

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
  /** `{"<key>":`, what each record starts with when there is a key. */
  head: string;
}

export function dateOptions(key: string, format: string): DateOptions {
  const k = key.trim();
  const off = k === '' || k.toLowerCase() === 'false' || k.toLowerCase() === 'off';
  return { key: off ? null : k, format: format as DateFormat, head: off ? '' : `{${JSON.stringify(k)}:` };
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

const COMMA = 0x2c;
const CLOSE = 0x7d;
const NL = 0x0a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Event i of `data` as a JSON object, with the date key first, its record's bytes spliced in as is. */
export function writeRecord(w: ByteWriter, data: EventData, i: number, date: DateOptions): void {
  const start = data.starts[i]!;
  const end = data.starts[i + 1]!;
  if (date.key === null) {
    w.bytesOf(data.buf, start, end);
    return;
  }
  w.text(date.head + formatTime(data.times[i]!, date.format));
  if (end - start <= 2) {
    w.byte(CLOSE);
    return;
  }
  w.byte(COMMA); // the record's opening brace becomes the comma after the date
  w.bytesOf(data.buf, start + 1, end);
}

/** Events in one of Fluent Bit's JSON formats, written into `w`. */
export function writeJsonFormat(w: ByteWriter, format: JsonFormat, data: EventData, date: DateOptions): void {
  const n = data.count;
  switch (format) {
    case 'json_lines':
      for (let i = 0; i < n; i++) {
        writeRecord(w, data, i, date);
        w.byte(NL);
      }
      return;
    case 'json':
      w.byte(OPEN_BRACKET);
      for (let i = 0; i < n; i++) {
        if (i > 0) w.byte(COMMA);
        writeRecord(w, data, i, date);
      }
      w.byte(CLOSE_BRACKET);
      return;
    case 'json_stream':
      for (let i = 0; i < n; i++) writeRecord(w, data, i, date);
      return;
  }
}

/** The same, as a string (for outputs that write text). */
export function encodeJsonFormat(format: JsonFormat, data: EventData, date: DateOptions): string {
  const w = ByteWriter.forBytes(data.buf.length + data.count * 48);
  writeJsonFormat(w, format, data, date);
  return w.buf.toString('utf8', 0, w.pos);
}

/** Fluent Bit's readable form: `[0] tag: [1700000000.123456, {"k":"v"}]`. */
export function encodeReadable(data: EventData, tag: string, startIndex = 0): string {
  let out = '';
  for (let i = 0; i < data.count; i++) {
    out += `[${startIndex + i}] ${tag}: [${(data.times[i]! / 1000).toFixed(9)}, ${data.text(i)}]\n`;
  }
  return out;
}
