import { describe, expect, it } from 'vitest';
import { PluginOptions } from '../../src/config/types.js';
import { ConfigError, type SourcePos } from '../../src/errors.js';
import { buildParsers, PARSER_OPTIONS } from '../../src/parsers/registry.js';

const at = (line: number): SourcePos => ({ file: 'wren.yaml', line, col: 5 });
const entry = (o: Record<string, unknown>, line = 1) => ({
  options: new PluginOptions(new Map(Object.entries(o)), new Map(Object.keys(o).map((k, i) => [k, at(line + i)]))),
  pos: at(line),
});

describe('parser registry', () => {
  it('has the built-ins', () => {
    const { lookup, errors } = buildParsers([]);
    expect(errors).toEqual([]);
    for (const n of ['json', 'logfmt', 'docker', 'cri', 'apache', 'apache2', 'apache_error', 'nginx',
      'k8s-nginx-ingress', 'syslog-rfc5424', 'syslog-rfc3164', 'syslog-rfc3164-local', 'mongodb', 'docker-daemon']) {
      expect(lookup.get(n)?.name, n).toBe(n);
    }
    expect(lookup.names()).toContain('cri');
  });

  it('built-in json, docker and cri parse their lines', () => {
    const { lookup } = buildParsers([]);
    expect(lookup.get('json')!.parse('{"a":1}')).toEqual({ record: { a: 1 } });
    expect(lookup.get('docker')!.parse('{"log":"hi\\n","stream":"stdout","time":"2024-05-01T12:34:56.123Z"}')).toEqual({
      time: Date.UTC(2024, 4, 1, 12, 34, 56, 123), record: { log: 'hi\n', stream: 'stdout', time: '2024-05-01T12:34:56.123Z' },
    });
    expect(lookup.get('cri')!.parse('2024-05-01T12:34:56.5Z stderr F oops')).toEqual({
      time: Date.UTC(2024, 4, 1, 12, 34, 56, 500), record: { stream: 'stderr', logtag: 'F', message: 'oops' },
    });
    expect(lookup.get('logfmt')!.parse('a=1 b="x y"')).toEqual({ record: { a: '1', b: 'x y' } });
  });

  it('built-in apache, nginx and syslog parsers read their classic lines', () => {
    const { lookup } = buildParsers([]);
    expect(lookup.get('apache')!.parse('192.168.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://x/" "Mozilla/4.08"')).toEqual({
      time: Date.UTC(2000, 9, 10, 20, 55, 36),
      record: { host: '192.168.0.1', user: 'frank', method: 'GET', path: '/apache_pb.gif', code: '200', size: '2326', referer: 'http://x/', agent: 'Mozilla/4.08' },
    });
    expect(lookup.get('nginx')!.parse('1.2.3.4 - - [01/Jan/2024:00:00:01 +0000] "POST /api HTTP/1.1" 201 15 "-" "curl/8"')!.record).toEqual({
      remote: '1.2.3.4', host: '-', user: '-', method: 'POST', path: '/api', code: '201', size: '15', referer: '-', agent: 'curl/8',
    });
    expect(lookup.get('syslog-rfc5424')!.parse('<165>1 2003-10-11T22:14:15.003Z host1 evntslog 1234 ID47 - An application event')).toEqual({
      time: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      record: { pri: '165', time: '2003-10-11T22:14:15.003Z', host: 'host1', ident: 'evntslog', pid: '1234', msgid: 'ID47', extradata: '-', message: 'An application event' },
    });
    const r = lookup.get('syslog-rfc3164')!.parse('<34>Oct 11 22:14:15 mymachine su[99]: su root failed');
    expect(r!.record).toEqual({ pri: '34', time: 'Oct 11 22:14:15', host: 'mymachine', ident: 'su', pid: '99', message: 'su root failed' });
    expect(new Date(r!.time!).toISOString().slice(4)).toBe('-10-11T22:14:15.000Z');
  });

  it('adds config-declared parsers, which may replace a built-in', () => {
    const { lookup, errors } = buildParsers([
      entry({ name: 'my_re', format: 'regex', regex: '^(?<level>\\w+): (?<msg>.*)$', types: 'x:integer' }),
      entry({ name: 'json', format: 'json', time_key: 't', time_format: '%s', time_keep: true }),
    ]);
    expect(errors).toEqual([]);
    expect(lookup.get('my_re')!.parse('WARN: disk')).toEqual({ record: { level: 'WARN', msg: 'disk' } });
    expect(lookup.get('json')!.parse('{"t":"10","a":1}')).toEqual({ time: 10_000, record: { t: '10', a: 1 } });
  });

  it('reports a bad regex as a ConfigError naming the parser and the position of its regex', () => {
    const { lookup, errors } = buildParsers([entry({ name: 'broken', format: 'regex', regex: '^(?<a>[a-' }, 10)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect(errors[0]!.toLine()).toMatch(/^wren\.yaml:12:5: parser 'broken': regex does not compile: .+\(write a regex/);
    expect(lookup.get('broken')).toBeUndefined();
  });

  it('reports every other kind of bad entry, and keeps the good ones', () => {
    const { lookup, errors } = buildParsers([
      entry({ format: 'json' }, 1),
      entry({ name: 'a', format: 'yaml' }, 5),
      entry({ name: 'b', format: 'regex' }, 10),
      entry({ name: 'c', format: 'regex', regex: '^(?<x>.)', time_format: '%Y %Q' }, 15),
      entry({ name: 'd', format: 'json', time_offset: 'CET' }, 20),
      entry({ name: 'e', format: 'json', decode_field_as: ['base64 log'] }, 25),
      entry({ name: 'f', format: 'regex', regex: '^(.*)$' }, 30),
      entry({ name: 'ok', format: 'logfmt' }, 35),
      entry({ name: 'ok', format: 'logfmt' }, 40),
    ]);
    expect(errors.map((e) => e.toLine())).toEqual([
      'wren.yaml:1:5: a parsers: entry has no name (add name: <parser name>)',
      "wren.yaml:6:5: parser 'a' has an unknown format 'yaml' (set format to one of json, regex, logfmt, ltsv)",
      "wren.yaml:10:5: parser 'b': format regex needs a regex (write a regex with named groups, e.g. ^(?<time>[^ ]+) (?<message>.*)$)",
      "wren.yaml:18:5: parser 'c': time_format '%Q' is not a supported time_format conversion (use strptime conversions such as %Y-%m-%dT%H:%M:%S.%L%z)",
      "wren.yaml:22:5: parser 'd': time_offset 'CET' is not an offset like +0900 or -07:00 (write the offset as +HHMM or -HH:MM)",
      "wren.yaml:27:5: parser 'e': decode_field_as decoder 'base64' is unknown (json, escaped, escaped_utf8) (write <json|escaped|escaped_utf8> <field> [try_next|do_next])",
      "wren.yaml:32:5: parser 'f': regex has no named group (?<name>…), so it would yield no field (write a regex with named groups, e.g. ^(?<time>[^ ]+) (?<message>.*)$)",
      "wren.yaml:40:5: parser 'ok' is defined twice (give each parsers: entry its own name)",
    ]);
    expect(lookup.get('ok')).toBeDefined();
  });

  it('declares its keys with Fluent Bit names', () => {
    expect(PARSER_OPTIONS.map((o) => o.key)).toEqual(['name', 'format', 'regex', 'time_key', 'time_format', 'time_keep',
      'time_offset', 'time_strict', 'types', 'skip_empty_values', 'decode_field', 'decode_field_as', 'logfmt_no_bare_keys']);
  });
});
