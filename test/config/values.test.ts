import { describe, expect, it } from 'vitest';
import { parseBool, parseDuration, parseSize } from '../../src/config/values.js';

describe('value types as Fluent Bit reads them', () => {
  it('reads booleans', () => {
    for (const t of ['on', 'On', 'true', 'yes', 'YES']) expect(parseBool(t)).toBe(true);
    for (const t of ['off', 'false', 'no', 'Off']) expect(parseBool(t)).toBe(false);
    expect(parseBool('maybe')).toBeUndefined();
  });

  it('reads sizes in powers of 1024', () => {
    expect(parseSize('32k')).toBe(32 * 1024);
    expect(parseSize('5M')).toBe(5 * 1024 * 1024);
    expect(parseSize('5MB')).toBe(5 * 1024 * 1024);
    expect(parseSize('1G')).toBe(1024 ** 3);
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize('1.5k')).toBe(1536);
    expect(parseSize('5 parsecs')).toBeUndefined();
  });

  it('reads durations: bare numbers are seconds', () => {
    expect(parseDuration('5')).toBe(5000);
    expect(parseDuration('0.5')).toBe(500);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('soon')).toBeUndefined();
  });
});
