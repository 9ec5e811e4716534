import { describe, expect, it } from 'vitest';
import { PluginOptions } from '../../../src/config/types.js';
import type { LogEvent } from '../../../src/engine/types.js';
import { ConfigError } from '../../../src/errors.js';
import { buildParsers } from '../../../src/parsers/registry.js';
import { parserFilter } from '../../../plugins/filter_parser/index.js';
import { contextFor } from './context.js';

const { lookup } = buildParsers([{
  options: new PluginOptions(new Map(Object.entries({
    name: 'my_re', format: 'regex', regex: '^(?<time>[^ ]+) (?<level>[A-Z]+) (?<msg>.*)$',
    time_key: 'time', time_format: '%Y-%m-%dT%H:%M:%S.%L%z', types: 'level:string',
  })), new Map()),
}]);

async function run(opts: Record<string, unknown>, records: Array<Record<string, unknown>>): Promise<LogEvent[]> {
  const inst = await parserFilter.create(contextFor(parserFilter.options, opts, lookup));
  const events = records.map((record, i) => ({ time: 1000 + i, record }));
  return inst.filter(events, 'app.log');
}

const LINE = '2024-02-03T04:05:06.789+00:00 WARN disk almost full';
const T = Date.UTC(2024, 1, 3, 4, 5, 6, 789);

describe('parser filter', () => {
  it('replaces the record with the parsed fields and takes the parsed time', async () => {
    const out = await run({ key_name: 'log', parser: 'my_re' }, [{ log: LINE, stream: 'stdout' }]);
    expect(out).toEqual([{ time: T, record: { level: 'WARN', msg: 'disk almost full' } }]);
  });

  it('reserve_data keeps the other fields; preserve_key keeps the parsed key too', async () => {
    expect(await run({ key_name: 'log', parser: 'my_re', reserve_data: 'on' }, [{ log: LINE, stream: 'stdout' }]))
      .toEqual([{ time: T, record: { level: 'WARN', msg: 'disk almost full', stream: 'stdout' } }]);
    expect(await run({ key_name: 'log', parser: 'my_re', reserve_data: 'on', preserve_key: 'on' }, [{ log: LINE, stream: 'stdout' }]))
      .toEqual([{ time: T, record: { level: 'WARN', msg: 'disk almost full', log: LINE, stream: 'stdout' } }]);
    expect(await run({ key_name: 'log', parser: 'my_re', preserve_key: 'on' }, [{ log: LINE, stream: 'stdout' }]))
      .toEqual([{ time: T, record: { level: 'WARN', msg: 'disk almost full', log: LINE } }]);
  });

  it('parsed fields win a name clash with reserved ones', async () => {
    expect(await run({ key_name: 'log', parser: 'json', reserve_data: 'on' }, [{ log: '{"level":"info"}', level: 'debug', x: 1 }]))
      .toEqual([{ time: 1000, record: { level: 'info', x: 1 } }]);
  });

  it('passes a record that matches no parser, or lacks the key, unchanged', async () => {
    const recs = [{ log: 'not the format', a: 1 }, { other: 'x' }, { log: 42 }];
    expect(await run({ key_name: 'log', parser: 'my_re', reserve_data: 'on' }, structuredClone(recs)))
      .toEqual(recs.map((record, i) => ({ time: 1000 + i, record })));
  });

  it('tries the parsers in order and uses the first that matches', async () => {
    const out = await run({ key_name: 'log', parser: ['json', 'logfmt'] }, [{ log: '{"a":1}' }, { log: 'a=2 b' }]);
    expect(out.map((e) => e.record)).toEqual([{ a: 1 }, { a: '2', b: true }]);
  });

  it('nests under nest_under, and reads a nested key through a record accessor', async () => {
    expect(await run({ key_name: 'log', parser: 'logfmt', nest_under: 'parsed', reserve_data: 'on' }, [{ log: 'a=1', k: 'v' }]))
      .toEqual([{ time: 1000, record: { parsed: { a: '1' }, k: 'v' } }]);
    expect(await run({ key_name: "$req['body']", parser: 'json', reserve_data: 'on' }, [{ req: { body: '{"id":7}' } }]))
      .toEqual([{ time: 1000, record: { id: 7, req: { body: '{"id":7}' } } }]);
  });

  it('parses CRI and docker lines with the built-in parsers', async () => {
    const out = await run({ key_name: 'log', parser: ['docker', 'cri'] }, [
      { log: '{"log":"hello\\n","stream":"stderr","time":"2024-05-01T00:00:00.25Z"}' },
      { log: '2024-05-01T00:00:01.5Z stdout F world' },
    ]);
    expect(out).toEqual([
      { time: Date.UTC(2024, 4, 1, 0, 0, 0, 250), record: { log: 'hello\n', stream: 'stderr', time: '2024-05-01T00:00:00.25Z' } },
      { time: Date.UTC(2024, 4, 1, 0, 0, 1, 500), record: { stream: 'stdout', logtag: 'F', message: 'world' } },
    ]);
  });

  it('refuses an unknown parser name with the names it knows', async () => {
    await expect(async () => parserFilter.create(contextFor(parserFilter.options, { key_name: 'log', parser: 'nope' }, lookup)))
      .rejects.toThrow(ConfigError);
    try {
      await parserFilter.create(contextFor(parserFilter.options, { key_name: 'log', parser: 'nope' }, lookup));
    } catch (err) {
      expect((err as ConfigError).toLine()).toMatch(/^test\.yaml:1:1: filter parser: parser 'nope' is not defined \(define it under parsers:, or use one of .*my_re/);
    }
  });
});
