import { describe, expect, it } from 'vitest';
import { splitTokens } from '../../src/config/slist.js';

describe('splitTokens (Fluent Bit SLIST values)', () => {
  it('splits on runs of spaces; double quotes hold spaces and \\" a quote', () => {
    expect(splitTokens('  a  b "c d"  "e \\"f\\"" ')).toEqual(['a', 'b', 'c d', 'e "f"']);
    expect(splitTokens('a\tb')).toEqual(['a\tb']);
    expect(splitTokens('')).toEqual([]);
  });

  it('after maxSplit words the rest is one last entry, as written', () => {
    expect(splitTokens('$log ^(\\w+) "x y" on extra', 2)).toEqual(['$log', '^(\\w+)', '"x y" on extra']);
    expect(splitTokens('k v', 2)).toEqual(['k', 'v']);
    expect(splitTokens('k   v w', 2)).toEqual(['k', 'v', 'w']);
  });
});
