import { describe, expect, it } from 'vitest';
import { criParser, newCriFields, parseCri, parseCriBuffer, rfc3339BufferToMs, rfc3339ToMs } from '../../src/parsers/cri.js';

describe('rfc3339ToMs', () => {
  it('matches Date.parse to the millisecond and keeps microseconds', () => {
    const t = rfc3339ToMs('2024-05-01T12:34:56.123456789Z');
    expect(Math.floor(t)).toBe(Date.parse('2024-05-01T12:34:56.123Z'));
    expect(Math.round((t - Math.floor(t)) * 1000)).toBe(457); // .456789 ms → 457 µs rounding
    expect(((t * 1000) % 1000) | 0).toBe(456);
  });

  it('reads zones, short fractions, no fraction and no zone', () => {
    expect(rfc3339ToMs('2024-05-01T12:34:56+02:00')).toBe(Date.parse('2024-05-01T10:34:56Z'));
    expect(rfc3339ToMs('2024-05-01T12:34:56.5-0130')).toBe(Date.parse('2024-05-01T14:04:56.500Z'));
    expect(rfc3339ToMs('2024-05-01T12:34:56')).toBe(Date.parse('2024-05-01T12:34:56Z'));
    expect(rfc3339ToMs('1969-12-31T23:59:59.25Z')).toBe(-750);
    expect(rfc3339ToMs('2000-02-29T00:00:00Z')).toBe(Date.parse('2000-02-29T00:00:00Z'));
  });

  it('agrees with Date.parse across many dates (the date cache must not leak between days)', () => {
    for (let d = Date.UTC(1999, 0, 1); d < Date.UTC(2031, 0, 1); d += 86_400_000 * 3 + 3_723_456) {
      const iso = new Date(d).toISOString();
      expect(rfc3339ToMs(iso)).toBe(d);
    }
  });

  it('is NaN for text that is not a time', () => {
    for (const s of ['', 'hello', '2024-13-01T00:00:00Z', '2024-05-01 12:34', '2024-05-01T12:34:56.Z',
      '2024-05-01T12:34:56Zx', '2024-05-01T12:34:56+2', 'x024-05-01T12:34:56Z']) {
      expect(rfc3339ToMs(s), s).toBeNaN();
    }
  });

  it('works on a slice of a larger buffer', () => {
    const b = Buffer.from('xx2024-05-01T12:34:56.1Z yy');
    expect(rfc3339BufferToMs(b, 2, 24)).toBe(Date.parse('2024-05-01T12:34:56.100Z'));
  });
});

describe('parseCriBuffer', () => {
  const line = (s: string) => {
    const b = Buffer.from(`##${s}##`);
    const f = newCriFields();
    const ok = parseCriBuffer(b, 2, b.length - 2, f);
    return ok ? { ...f, log: b.toString('utf8', f.logStart, b.length - 2), timeText: b.toString('latin1', f.timeStart, f.timeEnd) } : null;
  };

  it('reads full and partial lines', () => {
    expect(line('2024-05-01T12:34:56.000000001Z stdout F {"a":1}')).toMatchObject({
      stream: 'stdout', partial: false, log: '{"a":1}', timeText: '2024-05-01T12:34:56.000000001Z',
      time: Date.parse('2024-05-01T12:34:56Z') + 1e-6,
    });
    expect(line('2024-05-01T12:34:56+00:00 stderr P part one ')).toMatchObject({ stream: 'stderr', partial: true, log: 'part one ' });
  });

  it('accepts an empty log, with or without the separating space', () => {
    expect(line('2024-05-01T12:34:56Z stdout F ')?.log).toBe('');
    expect(line('2024-05-01T12:34:56Z stdout F')?.log).toBe('');
  });

  it('keeps going with an unparsable time (NaN: the reader uses the read time)', () => {
    expect(line('yesterday stdout F hi')).toMatchObject({ log: 'hi' });
    expect(line('yesterday stdout F hi')!.time).toBeNaN();
  });

  it('rejects lines that are not CRI', () => {
    for (const s of ['', 'hello world', '{"log":"x"}', '2024-05-01T12:34:56Z stdin F x', '2024-05-01T12:34:56Z stdout X x',
      '2024-05-01T12:34:56Z stdout Fx', ' stdout F x', '2024-05-01T12:34:56Z stdout']) {
      expect(line(s), s).toBeNull();
    }
  });
});

describe('cri parser (parsers.conf shape)', () => {
  it('gives stream, logtag and message, time from the line', () => {
    expect(parseCri('2024-05-01T12:34:56.5Z stdout F hello world')).toEqual({
      time: Date.parse('2024-05-01T12:34:56.500Z'),
      record: { stream: 'stdout', logtag: 'F', message: 'hello world' },
    });
    expect(criParser.name).toBe('cri');
    expect(criParser.parse('not cri')).toBeNull();
    expect(criParser.parse('later stderr P x')).toEqual({ record: { stream: 'stderr', logtag: 'P', message: 'x' } });
  });
});
