import { describe, expect, it } from 'vitest';
import { runWren, writeConfig } from '../helpers/cli.js';

/**
 * Records written by whoever controls a container: deep nesting, numbers a double cannot hold,
 * keys named like Object.prototype's. Each must come out whole, next to its neighbours.
 */

const deepLine = (levels: number) => '{"n":"deep","v":' + '{"a":'.repeat(levels) + '1' + '}'.repeat(levels) + '}';

describe('hostile records through stdin → filters → stdout', () => {
  it('keeps deep nesting bounded, numbers verbatim and __proto__ / constructor / prototype as fields', async () => {
    const cfg = writeConfig(`service:
  flush: 100ms
  log_level: warn
  json.max_depth: 8
pipeline:
  inputs:
    - name: stdin
  filters:
    - name: parser
      match: '*'
      key_name: log
      parser: json
      reserve_data: on
    - name: modify
      match: '*'
      add:
        - constructor from-modify
        - toString added
        - hasOwnProperty added
    - name: nest
      match: '*'
      operation: nest
      wildcard: proto*
      nest_under: nested
    - name: record_modifier
      match: '*'
      record: valueOf kept
  outputs:
    - name: stdout
      match: '*'
      format: json_lines
      json_date_key: false
`);
    const lines = [
      '{"n":"before"}',
      deepLine(5000),
      '{"n":"numbers","id":9007199254740993,"big":1e400,"neg":-123456789012345678901234567890,"ok":12.5,"arr":[18446744073709551615]}',
      JSON.stringify({ n: 'proto', log: '{"__proto__":{"polluted":true},"constructor":"c","prototype":"p"}' }),
      '{"n":"after"}',
    ];
    const r = await runWren(['run', '-c', cfg], { stdin: lines.join('\n') + '\n' });
    expect(r.stderr).not.toMatch(/Maximum call stack|cannot be encoded/);
    const out = r.stdout.trim().split('\n');
    expect(out.map((l) => /"n":"(\w+)"/.exec(l)?.[1])).toEqual(['before', 'deep', 'numbers', 'proto', 'after']);

    // depth: 8 levels kept as maps, the rest as its JSON text
    const deep = JSON.parse(out[1]!) as Record<string, unknown>;
    let v: unknown = deep.v;
    let levels = 1;
    while (typeof v === 'object' && v !== null) {
      v = (v as Record<string, unknown>).a;
      levels++;
    }
    expect(levels).toBe(8);
    expect(v).toBe('{"a":'.repeat(4993) + '1' + '}'.repeat(4993));

    // numbers: the digits as written
    expect(out[2]).toContain('"id":9007199254740993');
    expect(out[2]).toContain('"big":1e400');
    expect(out[2]).toContain('"neg":-123456789012345678901234567890');
    expect(out[2]).toContain('"ok":12.5');
    expect(out[2]).toContain('"arr":[18446744073709551615]');

    // prototype-named keys: ordinary fields, modify add sees only own fields
    const proto = JSON.parse(out[3]!) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(proto.constructor).toBe('c');
    expect(proto.toString).toBe('added');
    expect(proto.hasOwnProperty).toBe('added');
    expect(proto.valueOf).toBe('kept');
    expect((proto.nested as Record<string, unknown>).prototype).toBe('p');
    expect(Object.prototype.hasOwnProperty.call(proto, '__proto__')).toBe(true);
    expect(JSON.stringify(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value)).toBe('{"polluted":true}');
  }, 30_000);
});
