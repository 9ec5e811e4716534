import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/codec/byte-writer.js';
import { writeJson, writeObjectWithout, writeString } from '../../src/codec/json-bytes.js';
import { eventData } from '../../src/engine/encode-events.js';
import { RawNumber, toJson } from '../../src/codec/raw-number.js';

/** writeJson's bytes as text, from a small writer (so that growing is exercised too). */
function bytes(v: unknown, at = 0): string {
  const w = new ByteWriter(Buffer.alloc(8));
  w.pos = at;
  writeJson(w, v);
  return w.buf.toString('utf8', at, w.pos);
}

/** A deterministic generator (no Math.random: a failure must reproduce). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 4294967296;
  };
}

function randomString(r: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const k = r();
    if (k < 0.5) s += String.fromCharCode(0x20 + Math.floor(r() * 95));
    else if (k < 0.65) s += String.fromCharCode(Math.floor(r() * 0x20));
    else if (k < 0.75) s += r() < 0.5 ? '"' : '\\';
    else if (k < 0.85) s += String.fromCharCode(0x80 + Math.floor(r() * 0x780));
    else if (k < 0.92) s += String.fromCharCode(0x800 + Math.floor(r() * 0xd000));
    else if (k < 0.96) s += '\u{1f600}';
    else s += String.fromCharCode(0xd800 + Math.floor(r() * 0x800)); // a lone surrogate
  }
  return s;
}

describe('writeJson', () => {
  it('writes what toJson writes, for strings of every kind of character', () => {
    const r = rng(7);
    for (let i = 0; i < 3000; i++) {
      const s = randomString(r, Math.floor(r() * 80));
      expect(bytes(s)).toBe(toJson(s));
      expect(bytes({ [s]: s })).toBe(toJson({ [s]: s }));
    }
    for (const s of ['', 'a', '"', '\\', '\n\r\t\b\f', '\u0000\u001f\u007f', 'é', '\u2028\u2029', '\ud83d', '\ude00x', 'x\ud83d\ude00', 'a"b'.repeat(40), 'é"'.repeat(30)]) {
      expect(bytes(s)).toBe(JSON.stringify(s));
    }
  });

  it('writes what toJson writes, for random nested records', () => {
    const r = rng(11);
    const value = (depth: number): unknown => {
      const k = r();
      if (depth > 4 || k < 0.3) return randomString(r, Math.floor(r() * 30));
      if (k < 0.45) return [0, -1, 7, 2 ** 31, -(2 ** 31) - 1, 0.1, -2.5e-8, 1e21, NaN, -0][Math.floor(r() * 10)];
      if (k < 0.5) return [true, false, null, undefined][Math.floor(r() * 4)];
      if (k < 0.55) return new RawNumber(String(2 ** 53 + Math.floor(r() * 1000)));
      if (k < 0.75) return Array.from({ length: Math.floor(r() * 5) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 6); i > 0; i--) o[r() < 0.2 ? String(Math.floor(r() * 20)) : randomString(r, 1 + Math.floor(r() * 8))] = value(depth + 1);
      return o;
    };
    for (let i = 0; i < 2000; i++) {
      const rec = { log: value(1), nested: value(0) };
      expect(bytes(rec)).toBe(toJson(rec));
    }
  });

  it('writes numbers, booleans and null as JSON.stringify does', () => {
    for (const n of [0, -0, 1, -1, 9, 10, 99, 100, 2147483647, -2147483648, 2147483648, -2147483649, 1.5, -0.25, 1e21, 1e-7, 123456789.123, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity]) {
      expect(bytes(n)).toBe(JSON.stringify(n));
      expect(bytes([n])).toBe(JSON.stringify([n]));
    }
    expect(bytes({ t: true, f: false, n: null })).toBe('{"t":true,"f":false,"n":null}');
  });

  it('keeps RawNumbers and BigInts as their digits', () => {
    expect(bytes({ a: new RawNumber('9007199254740993'), b: [new RawNumber('1e400')], c: 12345678901234567890n })).toBe('{"a":9007199254740993,"b":[1e400],"c":12345678901234567890}');
  });

  it('leaves out what JSON.stringify leaves out, and calls toJSON', () => {
    const v = {
      u: undefined, f: () => 1, s: Symbol('x'), [Symbol('k')]: 1, arr: [undefined, () => 1, Symbol('y'), 1], sparse: [1, , 3],
      d: new Date(Date.UTC(2025, 2, 14)), buf: Buffer.from('hi'), custom: { toJSON: (k: string) => `key ${k}` },
      inArray: [{ toJSON: (k: string) => k }], map: new Map([[1, 2]]), boxed: [new String('s'), new Number(3), new Boolean(false)],
      nullProto: Object.assign(Object.create(null) as object, { a: 1 }), cls: new (class { x = 1; })(),
      12: 'integer keys first', last: { nested: [{ deep: ['x'] }] },
    };
    expect(bytes(v)).toBe(JSON.stringify(v));
    expect(bytes([])).toBe('[]');
    expect(bytes({})).toBe('{}');
    expect(bytes({ a: undefined })).toBe('{}');
    expect(bytes({ a: undefined, b: 1, c: undefined })).toBe('{"b":1}');
  });

  it('hands deep values to JSON.stringify, and throws on cycles as it does', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = i % 2 ? { a: deep, n: new RawNumber('18446744073709551615') } : [deep];
    expect(bytes(deep)).toBe(toJson(deep));
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = { back: cyc };
    expect(() => bytes(cyc)).toThrow(/circular/i);
  });

  it('writes at any offset and grows the buffer', () => {
    const rec = { log: 'x"y\n'.repeat(1000), n: 1 };
    expect(bytes(rec, 5)).toBe(JSON.stringify(rec));
    const w = new ByteWriter(Buffer.alloc(4));
    writeString(w, 'ab"c');
    writeString(w, 'é\u0001');
    expect(w.buf.toString('utf8', 0, w.pos)).toBe('"ab\\"c""é\\u0001"');
  });

  it('writes an object without one member, and records with their kubernetes map last', () => {
    const w = new ByteWriter(Buffer.alloc(8));
    expect(writeObjectWithout(w, { a: 1, kubernetes: { x: 1 }, b: 'é"' }, 'kubernetes')).toBe(2);
    expect(writeObjectWithout(w, { kubernetes: 1 }, 'kubernetes')).toBe(0);
    expect(w.buf.toString('utf8', 0, w.pos)).toBe('{"a":1,"b":"é\\""}{}');
    // not a plain object: JSON.stringify's way, the member still left out
    w.pos = 0;
    expect(writeObjectWithout(w, new (class { a = 1; kubernetes = 2; })() as unknown as Record<string, unknown>, 'kubernetes')).toBe(1);
    expect(w.buf.toString('utf8', 0, w.pos)).toBe('{"a":1}');
    expect(() => writeObjectWithout(w, { toJSON: () => 'text' }, 'kubernetes')).toThrow(/did not give an object/);
    const kube = { pod_name: 'p', labels: { app: 'a"b' } };
    const d = eventData([
      { time: 1, record: { log: 'x', kubernetes: kube, stream: 'stdout' } },
      { time: 2, record: { kubernetes: kube } },
      { time: 3, record: { log: 'y', kubernetes: { pod_name: 'q' } } },
      { time: 4, record: { log: 'z' } },
    ]);
    expect([0, 1, 2, 3].map((i) => d.text(i))).toEqual([
      '{"log":"x","stream":"stdout","kubernetes":{"pod_name":"p","labels":{"app":"a\\"b"}}}',
      '{"kubernetes":{"pod_name":"p","labels":{"app":"a\\"b"}}}',
      '{"log":"y","kubernetes":{"pod_name":"q"}}',
      '{"log":"z"}',
    ]);
  });
});
