import { describe, expect, it } from 'vitest';
import { dateOptions, encodeJsonFormat, formatTime, type DateOptions } from '../../src/codec/json.js';
import { eventData } from '../../src/engine/encode-events.js';
import type { LogEvent } from '../../src/engine/types.js';

/** One record as JSON. */
const encodeRecord = (e: LogEvent, d: DateOptions) => encodeJsonFormat('json_stream', eventData([e]), d);

const e = { time: 1700000000123.456, record: { msg: 'hi', n: 1 } };

describe('JSON encodings', () => {
  it('puts the date key first in each format', () => {
    expect(encodeRecord(e, dateOptions('date', 'double'))).toBe('{"date":1700000000.123456,"msg":"hi","n":1}');
    expect(encodeRecord(e, dateOptions('@timestamp', 'iso8601'))).toBe('{"@timestamp":"2023-11-14T22:13:20.123456Z","msg":"hi","n":1}');
    expect(encodeRecord(e, dateOptions('t', 'epoch'))).toBe('{"t":1700000000,"msg":"hi","n":1}');
    expect(encodeRecord(e, dateOptions('t', 'epoch_ms'))).toBe('{"t":1700000000123,"msg":"hi","n":1}');
    expect(encodeRecord(e, dateOptions('t', 'java_sql_timestamp'))).toBe('{"t":"2023-11-14 22:13:20.123456","msg":"hi","n":1}');
    expect(encodeRecord(e, dateOptions('false', 'double'))).toBe('{"msg":"hi","n":1}');
    expect(encodeRecord({ time: 0, record: {} }, dateOptions('d', 'epoch'))).toBe('{"d":0}');
  });

  it('writes lines and arrays', () => {
    const d = dateOptions('false', 'double');
    expect(encodeJsonFormat('json_lines', eventData([e, e]), d)).toBe('{"msg":"hi","n":1}\n{"msg":"hi","n":1}\n');
    expect(encodeJsonFormat('json', eventData([e, e]), d)).toBe('[{"msg":"hi","n":1},{"msg":"hi","n":1}]');
  });

  it('keeps microseconds', () => {
    expect(formatTime(1.5, 'iso8601')).toBe('"1970-01-01T00:00:00.001500Z"');
  });
});
