import { encodeJsonArray, encodeJsonLines, encodeJsonStream, encodeReadable, type DateOptions } from './json.js';
import type { LogEvent } from '../engine/types.js';

/** Output `format` values shared by stdout and http (Fluent Bit's names). */
export type JsonFormat = 'json' | 'json_lines' | 'json_stream';

export function encodeJsonFormat(format: JsonFormat, events: readonly LogEvent[], date: DateOptions): string {
  switch (format) {
    case 'json': return encodeJsonArray(events, date);
    case 'json_lines': return encodeJsonLines(events, date);
    case 'json_stream': return encodeJsonStream(events, date);
  }
}

export { encodeReadable };
