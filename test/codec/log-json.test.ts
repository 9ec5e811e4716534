import { afterEach, describe, expect, it } from 'vitest';
import { configureLogJson, DEFAULT_MAX_DEPTH, logJsonStats, parseLogJson, parseLogJsonObject } from '../../src/codec/log-json.js';
import { RawNumber, toJson } from '../../src/codec/raw-number.js';
import { eventData } from '../../src/engine/encode-events.js';
import { createParser } from '../../src/parsers/create.js';
import { mergeLog } from '../../plugins/filter_kubernetes/merge-log.js';
import { parseBody } from '../../plugins/in_http/body.js';
import { getPath, valueToString } from '../../src/record/accessor.js';

afterEach(() => configureLogJson({ maxDepth: DEFAULT_MAX_DEPTH }));

function depthOf(v: unknown): number {
  let d = 0;
  while (v !== null && typeof v === 'object') {
    v = Object.values(v as object)[0];
    d++;
  }
  return d;
}

describe('JSON from log data', () => {
  it('keeps at most json.max_depth levels; deeper values stay as their JSON text, counted', () => {
    const inner = '[' + '{"a":'.repeat(3000) + '"x"' + '}'.repeat(3000) + ']';
    const text = `{"k":${'{"b":'.repeat(70)}${inner}${'}'.repeat(70)},"s":"{[not nesting]}"}`;
    const before = logJsonStats.deepValues;
    const v = parseLogJsonObject(text)!;
    expect(depthOf(v)).toBe(DEFAULT_MAX_DEPTH); // 64 maps, then the text
    let cur: unknown = v;
    for (let i = 0; i < DEFAULT_MAX_DEPTH; i++) cur = Object.values(cur as object)[0];
    expect(typeof cur).toBe('string');
    expect(JSON.parse(cur as string)).toBeTruthy();
    expect(v.s).toBe('{[not nesting]}');
    expect(logJsonStats.deepValues).toBe(before + 1);
    // the record now encodes (JSON.stringify of 3000+ levels used to throw)
    expect(eventData([{ time: 0, record: v }]).count).toBe(1);
  });

  it('the http input (object, array, NDJSON bodies) bounds depth and keeps big numbers too', () => {
    configureLogJson({ maxDepth: 3 });
    const deep = '{"a":{"b":{"c":{"d":1}}},"id":9007199254740993}';
    for (const body of [deep, `[${deep}]`, `${deep}\n${deep}\n`]) {
      const r = parseBody(body);
      expect('records' in r && r.records.length > 0, body).toBe(true);
      for (const rec of (r as { records: Array<Record<string, unknown>> }).records) {
        expect(typeof getPath(rec, ['a', 'b'])).toBe(body.startsWith('[') ? 'string' : 'object');
        expect(toJson(rec)).toContain('"id":9007199254740993');
      }
    }
  });

  it('the limit is configurable', () => {
    configureLogJson({ maxDepth: 2 });
    expect(parseLogJson('{"a":{"b":{"c":1}},"d":[[1]]}')).toEqual({ a: { b: '{"c":1}' }, d: ['[1]'] });
  });

  it('keeps numbers a double cannot hold as written, and writes them back verbatim', () => {
    const text = '{"id":9007199254740993,"x":1e400,"y":-1E+999,"safe":9007199254740991,"f":0.5,"deep":{"a":[12345678901234567890123]},"s":"9007199254740993"}';
    const v = parseLogJsonObject(text)!;
    expect(v.id).toBeInstanceOf(RawNumber);
    expect(String(v.id)).toBe('9007199254740993');
    expect(v.safe).toBe(9007199254740991);
    expect(v.s).toBe('9007199254740993');
    expect(toJson(v)).toBe(text);
    const data = eventData([{ time: 0, record: v }]);
    expect(data.text(0)).toBe(text);
    // decoding Wren's own bytes (outputs' slow paths) keeps them too
    expect(toJson(data.record(0))).toBe(text);
    expect(valueToString(v.id)).toBe('9007199254740993');
  });

  it('a string that looks like the internal marker is not turned into a number', () => {
    const v = parseLogJsonObject('{"a":"\\u0001x#1","b":9007199254740993}')!;
    expect(v.a).toBe('\u0001x#1');
    expect(toJson(v)).toBe('{"a":"\\u0001x#1","b":9007199254740993}');
  });

  it('__proto__, constructor and prototype are own fields after parse, merge_log and accessors', () => {
    const rec: Record<string, unknown> = { log: '{"__proto__":{"admin":true},"constructor":"c","prototype":"p","n":1}' };
    mergeLog({ time: 0, record: rec }, { trim: false, keepLog: false });
    expect(Object.getPrototypeOf(rec)).toBe(Object.prototype);
    expect(Object.keys(rec)).toEqual(['__proto__', 'constructor', 'prototype', 'n']);
    expect((rec as { admin?: unknown }).admin).toBeUndefined();
    expect(toJson(rec)).toBe('{"__proto__":{"admin":true},"constructor":"c","prototype":"p","n":1}');
    expect(getPath(rec, ['__proto__', 'admin'])).toBe(true);
    expect(getPath({}, ['constructor'])).toBeUndefined();
    expect(getPath({}, ['__proto__'])).toBeUndefined();
  });

  it('logfmt, ltsv and regex parsers keep such keys as fields', () => {
    const logfmt = createParser({ name: 'l', format: 'logfmt' }).parse('__proto__=x constructor=y a=1')!;
    expect(Object.keys(logfmt.record)).toEqual(['__proto__', 'constructor', 'a']);
    const ltsv = createParser({ name: 't', format: 'ltsv' }).parse('__proto__:x\tprototype:y')!;
    expect(Object.keys(ltsv.record)).toEqual(['__proto__', 'prototype']);
    const json = createParser({ name: 'j', format: 'json', decodeFieldAs: ['json inner'] }).parse('{"inner":"{\\"__proto__\\":{\\"z\\":1}}"}')!;
    expect(Object.getPrototypeOf(json.record.inner)).toBe(Object.prototype);
    expect(Object.keys(json.record.inner as object)).toEqual(['__proto__']);
  });
});
