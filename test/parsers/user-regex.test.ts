import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/commands/check.js';
import { loadConfig } from '../../src/config/load.js';
import { linearProblem, unboundedPatterns } from '../../src/parsers/linear-regex.js';
import { runWren, writeConfig } from '../helpers/cli.js';

/**
 * User patterns (parsers, grep, modify conditions, rewrite_tag, multiline rules, match_regex) run
 * on V8's backtracking engine, which falls back to its linear-time engine when a match
 * backtracks too much (src/parsers/linear-regex.ts). Patterns below are exponential on
 * irregexp alone: without the fallback, one of these 2 kB lines would not finish in a day.
 */

const WORDS = '^(?<words>(\\w+\\s?)+)$';
const EITHER = '^(x|xx)+$';
const hostileWords = 'x'.repeat(2000) + '!';

function cpuMs(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

describe('user regexes on hostile lines', () => {
  it('a user parser with nested quantifiers stays linear on 2 kB lines, and still parses', () => {
    const file = writeConfig(`parsers:
  - name: words
    format: regex
    regex: '${WORDS}'
pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: null
      match: '*'
`);
    const { config, errors } = loadConfig(file, { env: {} });
    expect(errors).toEqual([]);
    const p = config!.parsers.get('words')!;
    expect(p.parse('hello brave new world')!.record).toEqual({ words: 'hello brave new world' });
    const costs: number[] = [];
    for (let i = 0; i < 5; i++) costs.push(cpuMs(() => expect(p.parse(hostileWords + i)).toBeNull()));
    // linear: ~10 ms per 2 kB line on an idle core; the bound leaves room for a loaded machine
    expect(Math.min(...costs)).toBeLessThan(100);
    expect(unboundedPatterns().has(WORDS)).toBe(false);
  });

  it('wren run: parser, grep exclude and modify condition with such patterns get through hostile lines', async () => {
    const cfg = writeConfig(`service:
  flush: 100ms
  log_level: warn
parsers:
  - name: words
    format: regex
    regex: '${WORDS}'
pipeline:
  inputs:
    - name: stdin
      parser: words
  filters:
    - name: grep
      match: '*'
      exclude: log ${EITHER}
    - name: modify
      match: '*'
      condition: key_value_matches log ${EITHER}
      add: odd yes
  outputs:
    - name: stdout
      match: '*'
      format: json_lines
`);
    // each hostile line backtracks in all three patterns: the parser fails on it (kept as {log}),
    // grep's exclude and modify's condition do not match it
    const lines = ['hello brave world'];
    for (let i = 0; i < 10; i++) lines.push(hostileWords);
    const r = await runWren(['run', '-c', cfg], { stdin: lines.join('\n') + '\n', timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out[0]).toMatchObject({ words: 'hello brave world' });
    expect(out.filter((o) => o.log === hostileWords && o.odd === undefined)).toHaveLength(10);
    expect(out).toHaveLength(11);
  }, 90_000);

  it('patterns the linear engine cannot run are named at start, with the reason and the fix', async () => {
    expect(linearProblem('^(?<w>a+)$', 'ms')).toBeUndefined();
    expect(linearProblem('error', 'i')).toMatch(/case-insensitively.*\[Ee\]rror/);
    expect(linearProblem('(a)\\1', '')).toMatch(/back-reference, a lookaround/);
    const file = writeConfig(`parsers:
  - name: shouty
    format: regex
    regex: '(?i)^(?<level>error|warn) (?<msg>.*)$'
  - name: fine
    format: regex
    regex: '^(?<level>[A-Z]+) (?<msg>.*)$'
pipeline:
  inputs:
    - name: dummy
  filters:
    - name: grep
      match: '*'
      regex: message ^(?<q>["']).*\\k<q>$
  outputs:
    - name: null
      match: '*'
`);
    let out = '';
    let err = '';
    const sink = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
    const code = await runCheck(file, { env: {}, stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) });
    expect(code).toBe(0);
    expect(out).toContain('grep');
    expect(err).toMatch(/warning: regex \/\(\?i\)\^\(\?<level>error\|warn\) \(\?<msg>\.\*\)\$\/ can only run on the backtracking engine \(it matches case-insensitively/);
    expect(err).toMatch(/warning: regex \/\^\(\?<q>\["'\]\)\.\*\\k<q>\$\/ can only run on the backtracking engine \(it uses a back-reference/);
    expect(err).not.toContain('<level>[A-Z]+');
  });
});
