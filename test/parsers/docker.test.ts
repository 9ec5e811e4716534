import { describe, expect, it } from 'vitest';
import { dockerParser, dockerTime, parseDocker, parseDockerLine } from '../../src/parsers/docker.js';

describe('docker parser', () => {
  const line = '{"log":"hello \\"you\\"\\n","stream":"stderr","time":"2024-05-01T12:34:56.123456Z"}';

  it('reads a json-file line, time from `time`, kept in the record', () => {
    expect(parseDocker(line)).toEqual({
      time: Date.parse('2024-05-01T12:34:56.123Z') + 0.456,
      record: { log: 'hello "you"\n', stream: 'stderr', time: '2024-05-01T12:34:56.123456Z' },
    });
    expect(dockerParser.name).toBe('docker');
  });

  it('parseDockerLine wants an object with a string log', () => {
    expect(parseDockerLine(line)?.stream).toBe('stderr');
    expect(parseDockerLine('{"msg":"x"}')).toBeNull();
    expect(parseDockerLine('[1]')).toBeNull();
    expect(parseDockerLine('{"log":')).toBeNull();
    expect(parseDockerLine('2024-05-01T12:34:56Z stdout F x')).toBeNull();
  });

  it('parses any JSON object; no time when `time` is missing or bad', () => {
    expect(parseDocker('{"a":1}')).toEqual({ record: { a: 1 } });
    expect(parseDocker('{"time":"soon"}')).toEqual({ record: { time: 'soon' } });
    expect(parseDocker('nope')).toBeNull();
    expect(dockerTime({ time: 5 })).toBeNaN();
  });
});
