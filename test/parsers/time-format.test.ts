import { describe, expect, it } from 'vitest';
import { compileTimeFormat, parseTzOffset } from '../../src/parsers/time-format.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s);

describe('time_format', () => {
  it('reads ISO-8601 with a fraction (%L, nanoseconds kept as fractional ms) and a zone', () => {
    const f = compileTimeFormat('%Y-%m-%dT%H:%M:%S.%L%z');
    expect(f.parse('2024-03-05T10:20:30.123456789+02:00')).toBeCloseTo(utc(2024, 3, 5, 8, 20, 30) + 123.456789, 6);
    expect(f.parse('2024-03-05T10:20:30.5Z')).toBe(utc(2024, 3, 5, 10, 20, 30) + 500);
    expect(f.parse('2024-03-05T10:20:30.5-0130')).toBe(utc(2024, 3, 5, 11, 50, 30) + 500);
  });

  it('reads the Apache / nginx access-log time', () => {
    const f = compileTimeFormat('%d/%b/%Y:%H:%M:%S %z');
    expect(f.parse('10/Oct/2000:13:55:36 -0700')).toBe(utc(2000, 10, 10, 20, 55, 36));
    expect(f.parse('01/january/2021:00:00:00 +0000')).toBe(utc(2021, 1, 1));
  });

  it('takes the current UTC year (and today) when the format has none, as syslog needs', () => {
    const now = utc(2023, 6, 1, 12);
    expect(compileTimeFormat('%b %d %H:%M:%S').parse('Feb  5 17:32:18', now)).toBe(utc(2023, 2, 5, 17, 32, 18));
    expect(compileTimeFormat('%H:%M:%S').parse('17:32:18', now)).toBe(utc(2023, 6, 1, 17, 32, 18));
  });

  it('reads epoch seconds (%s), with a fraction', () => {
    expect(compileTimeFormat('%s').parse('1700000000')).toBe(1_700_000_000_000);
    expect(compileTimeFormat('%s.%L').parse('1700000000.25')).toBe(1_700_000_000_250);
  });

  it('applies time_offset to times without a zone, and not when the format pins one', () => {
    const off = parseTzOffset('+0900')!;
    expect(compileTimeFormat('%Y-%m-%d %H:%M:%S', { offsetSec: off }).parse('2024-01-01 09:00:00')).toBe(utc(2024, 1, 1));
    expect(compileTimeFormat('%Y-%m-%dT%H:%M:%SZ', { offsetSec: off }).parse('2024-01-01T09:00:00Z')).toBe(utc(2024, 1, 1, 9));
    expect(compileTimeFormat('%Y-%m-%d %H:%M:%S %z', { offsetSec: off }).parse('2024-01-01 09:00:00 +0000')).toBe(utc(2024, 1, 1, 9));
  });

  it('reads 12-hour clocks, composites, two-digit years, weekday names, %Z, %e and %j', () => {
    expect(compileTimeFormat('%D %r').parse('07/04/99 01:02:03 PM')).toBe(utc(1999, 7, 4, 13, 2, 3));
    expect(compileTimeFormat('%F %T').parse('2020-02-29 23:59:59')).toBe(utc(2020, 2, 29, 23, 59, 59));
    expect(compileTimeFormat('%I %p').parse('12 am', utc(2020, 1, 1))).toBe(utc(2020, 1, 1, 0));
    expect(compileTimeFormat('%a, %d %b %Y %H:%M:%S %Z').parse('Tue, 15 Nov 1994 08:12:31 GMT')).toBe(utc(1994, 11, 15, 8, 12, 31));
    expect(compileTimeFormat('%Y-%m-%e').parse('2021-03- 7')).toBe(utc(2021, 3, 7));
    expect(compileTimeFormat('%Y %j').parse('2021 060')).toBe(utc(2021, 3, 1));
    expect(compileTimeFormat('%y%m%d').parse('680102')).toBe(utc(2068, 1, 2));
  });

  it('matches any run of blanks for a blank, ignores trailing text, and rejects a mismatch', () => {
    const f = compileTimeFormat('%Y-%m-%d %H:%M');
    expect(f.parse('2021-01-02    03:04')).toBe(utc(2021, 1, 2, 3, 4));
    expect(f.parse('2021-01-0203:04')).toBe(utc(2021, 1, 2, 3, 4));
    expect(f.parse('2021-01-02 03:04:59.123 trailing')).toBe(utc(2021, 1, 2, 3, 4));
    expect(f.parse('2021-13-02 03:04')).toBeUndefined();
    expect(f.parse('yesterday')).toBeUndefined();
    expect(f.parse('')).toBeUndefined();
  });

  it('refuses conversions it does not know', () => {
    expect(() => compileTimeFormat('%Y %Q')).toThrow(/%Q/);
    expect(() => compileTimeFormat('%Y %')).toThrow(/lone %/);
  });

  it('reads offsets', () => {
    expect(parseTzOffset('-07:30')).toBe(-(7 * 3600 + 30 * 60));
    expect(parseTzOffset('+09')).toBe(9 * 3600);
    expect(parseTzOffset('Z')).toBe(0);
    expect(parseTzOffset('9h')).toBeUndefined();
  });
});
