import { describe, expect, it } from 'vitest';
import { createParser } from '../../src/parsers/create.js';
import type { ParserSpec } from '../../src/parsers/spec.js';

const p = (spec: Omit<ParserSpec, 'name'>) => createParser({ name: 't', ...spec });

describe('regex parser', () => {
  it('turns named groups into fields in written order and reads the time from time_key', () => {
    const parser = p({
      format: 'regex',
      regex: '^(?<host>[^ ]+) (?<time>\\[[^\\]]+\\]) (?<msg>.*)$',
      timeKey: 'time',
      timeFormat: '[%d/%b/%Y:%H:%M:%S %z]',
    });
    const r = parser.parse('10.0.0.1 [10/Oct/2000:13:55:36 -0700] GET / 200');
    expect(r).toEqual({ time: Date.UTC(2000, 9, 10, 20, 55, 36), record: { host: '10.0.0.1', msg: 'GET / 200' } });
    expect(Object.keys(r!.record)).toEqual(['host', 'msg']);
  });

  it('keeps the time field with time_keep, and drops a time that does not match', () => {
    const spec = { format: 'regex' as const, regex: '^(?<time>\\S+) (?<msg>.*)$', timeFormat: '%Y-%m-%dT%H:%M:%S' };
    expect(p({ ...spec, timeKeep: true }).parse('2020-01-01T00:00:00 hi')).toEqual({
      time: Date.UTC(2020, 0, 1), record: { time: '2020-01-01T00:00:00', msg: 'hi' },
    });
    expect(p(spec).parse('yesterday hi')).toEqual({ record: { msg: 'hi' } });
    expect(p({ ...spec, timeStrict: false }).parse('yesterday hi')).toEqual({ record: { time: 'yesterday', msg: 'hi' } });
  });

  it('returns null for a line that does not match', () => {
    expect(p({ format: 'regex', regex: '^(?<a>\\d+)$' }).parse('abc')).toBeNull();
  });

  it('skips empty captures unless skip_empty_values is off', () => {
    const spec = { format: 'regex' as const, regex: '^(?<a>\\w*)-(?<b>\\w*)(?: (?<c>\\w+))?$' };
    expect(p(spec).parse('-x')).toEqual({ record: { b: 'x' } });
    expect(p({ ...spec, skipEmptyValues: false }).parse('-x')).toEqual({ record: { a: '', b: 'x', c: '' } });
  });

  it('casts with types', () => {
    const parser = p({
      format: 'regex',
      regex: '^(?<code>\\S+) (?<ratio>\\S+) (?<ok>\\S+) (?<mask>\\S+) (?<name>\\S+)$',
      types: 'code:integer ratio:float ok:bool mask:hex name:string',
    });
    expect(parser.parse('200 0.5 TRUE ff bob')!.record).toEqual({ code: 200, ratio: 0.5, ok: true, mask: 255, name: 'bob' });
    expect(parser.parse('x y maybe zz bob')!.record).toEqual({ code: 0, ratio: 0, ok: 'maybe', mask: 0, name: 'bob' });
  });

  it('speaks Onigmo: /slashes/i, \\A \\z, \\h, POSIX brackets, possessive and atomic groups, odd names', () => {
    expect(p({ format: 'regex', regex: '/^(?<w>HELLO)/i' }).parse('hello')!.record).toEqual({ w: 'hello' });
    expect(p({ format: 'regex', regex: '\\A(?<id>\\h+)\\z' }).parse('00ff')!.record).toEqual({ id: '00ff' });
    expect(p({ format: 'regex', regex: '\\A(?<id>\\h+)\\z' }).parse('00ff\nx')).toBeNull();
    expect(p({ format: 'regex', regex: '^(?<w>[[:alpha:]]++)(?>[[:digit:]]+)$' }).parse('abc123')!.record).toEqual({ w: 'abc' });
    expect(p({ format: 'regex', regex: '^(?<pod-name>[a-z]+)_(?<x>.)\\k<x>$' }).parse('web_aa')!.record).toEqual({ 'pod-name': 'web', x: 'a' });
    // Ruby: ^ and $ match at line ends, so a multi-line text matches its first line.
    expect(p({ format: 'regex', regex: '^(?<first>.*)$' }).parse('one\ntwo')!.record).toEqual({ first: 'one' });
  });

  it('runs decoders on fields', () => {
    const parser = p({
      format: 'regex',
      regex: '^(?<log>.*)$',
      decodeFieldAs: ['escaped_utf8 log do_next', 'json log'],
    });
    expect(parser.parse('{\\"a\\":1,\\"b\\":\\"\\u00e9\\"}')!.record).toEqual({ log: { a: 1, b: 'é' } });
    expect(parser.parse('plain \\t text')!.record).toEqual({ log: 'plain \t text' });
  });
});

describe('json parser', () => {
  it('parses an object and reads the time', () => {
    const parser = p({ format: 'json', timeKey: 'ts', timeFormat: '%Y-%m-%dT%H:%M:%S.%LZ' });
    expect(parser.parse('{"ts":"2021-05-06T07:08:09.010Z","a":{"b":[1,2]}}\n')).toEqual({
      time: Date.UTC(2021, 4, 6, 7, 8, 9, 10), record: { a: { b: [1, 2] } },
    });
    expect(parser.parse('{"ts":"later","a":1}')).toEqual({ record: { ts: 'later', a: 1 } });
  });

  it('reads a numeric epoch with time_format %s', () => {
    expect(p({ format: 'json', timeFormat: '%s', timeKeep: true }).parse('{"time":1700000000.5}')).toEqual({
      time: 1_700_000_000_500, record: { time: 1700000000.5 },
    });
  });

  it('returns null for invalid JSON, arrays and scalars', () => {
    const parser = p({ format: 'json' });
    for (const t of ['{"a":', '[1]', '"x"', '12', 'plain', '{"a":1} trailing']) expect(parser.parse(t)).toBeNull();
  });

  it('decode_field adds the keys of a JSON field', () => {
    const parser = p({ format: 'json', decodeField: ['json inner'] });
    expect(parser.parse('{"inner":"{\\"x\\":1}","y":2}')!.record).toEqual({ inner: '{"x":1}', y: 2, x: 1 });
  });
});

describe('logfmt parser', () => {
  it('reads pairs, quoted values with escapes, bare keys, and stops at the line end', () => {
    const parser = p({ format: 'logfmt' });
    expect(parser.parse('level=info msg="hello \\"you\\"" empty="" bare dangling= n=3\nnext=line')!.record).toEqual({
      level: 'info', msg: 'hello "you"', empty: '', bare: true, dangling: true, n: '3',
    });
  });

  it('reads the time, types, and refuses bare keys when asked', () => {
    const parser = p({ format: 'logfmt', timeFormat: '%Y-%m-%dT%H:%M:%SZ', types: 'n:integer' });
    expect(parser.parse('time=2020-01-02T03:04:05Z n=7')).toEqual({ time: Date.UTC(2020, 0, 2, 3, 4, 5), record: { n: 7 } });
    expect(parser.parse('time=soon n=7')).toBeNull();
    expect(p({ format: 'logfmt', logfmtNoBareKeys: true }).parse('a=1 b')).toBeNull();
    expect(parser.parse('   ')).toBeNull();
  });
});

describe('ltsv parser', () => {
  it('reads tab-separated label:value fields', () => {
    const parser = p({ format: 'ltsv', types: 'status:integer', timeFormat: '%d/%b/%Y:%H:%M:%S %z' });
    expect(parser.parse('host:127.0.0.1\ttime:10/Oct/2000:13:55:36 -0700\tstatus:200\turl:/a:b')).toEqual({
      time: Date.UTC(2000, 9, 10, 20, 55, 36), record: { host: '127.0.0.1', status: 200, url: '/a:b' },
    });
    expect(parser.parse('no colon here')).toBeNull();
  });
});
