import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { RawSection } from '../../../src/config/types.js';
import { buildMultilineParsers, ruleFromText } from '../../../src/parsers/multiline/config.js';
import { MultilineStream } from '../../../src/parsers/multiline/joiner.js';
import { buildParsers } from '../../../src/parsers/registry.js';
import { tempDir } from '../../helpers/cli.js';

function load(yaml: string, extra: Record<string, string> = {}) {
  const dir = tempDir();
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  const file = join(dir, 'w.yaml');
  writeFileSync(file, yaml);
  return loadConfig(file, { env: {} });
}

const PIPELINE = `pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: stdout
      match: '*'
`;

function join1(lookupName: string, cfg: ReturnType<typeof load>, lines: string[]): string[] {
  const p = cfg.config!.parsers.multiline!.get(lookupName)!;
  const out: string[] = [];
  const s = new MultilineStream<number>([p], { key: 'log' }, (e) => out.push(e.record.log as string));
  lines.forEach((l, i) => s.push({ time: i, record: { log: l } }, i, 0));
  s.flush();
  return out;
}

describe('multiline_parsers: in YAML', () => {
  it('reads Fluent Bit\'s YAML shape (name, type, flush_timeout, rules: [{state, regex, next_state}])', () => {
    const r = load(`${PIPELINE}multiline_parsers:
  - name: exception_test
    type: regex
    flush_timeout: 1000
    rules:
      - state: start_state
        regex: '/(Dec \\d+ \\d+\\:\\d+\\:\\d+)(.*)/'
        next_state: cont
      - state: cont
        regex: '/^\\s+at.*/'
        next_state: cont
`);
    expect(r.errors.map((e) => e.toLine())).toEqual([]);
    const p = r.config!.parsers.multiline!.get('exception_test')!;
    expect(p.flushMs).toBe(1000);
    expect(join1('exception_test', r, ['Dec 14 06:41:08 boom', '    at a', 'x'])).toEqual(['Dec 14 06:41:08 boom\n    at a', 'x']);
    // the built-ins are there too
    expect(r.config!.parsers.multiline!.names()).toEqual(expect.arrayContaining(['exception_test', 'go', 'java', 'python', 'ruby']));
  });

  it('reads them from a parsers_file too, with a parser and key_content', () => {
    const r = load(`service:
  parsers_file: more.yaml
${PIPELINE}`, { 'more.yaml': `parsers:
  - name: lvl
    format: regex
    regex: '^(?<level>[A-Z]+) (?<msg>.*)$'
multiline_parsers:
  - name: from_file
    type: regex
    parser: lvl
    key_content: msg
    rules:
      - { state: start_state, regex: '/^panic/', next_state: more }
      - { state: more, regex: '/^  /', next_state: more }
` });
    expect(r.errors.map((e) => e.toLine())).toEqual([]);
    const p = r.config!.parsers.multiline!.get('from_file')!;
    expect(p.parser?.name).toBe('lvl');
    expect(p.keyContent).toBe('msg');
  });

  it('bad rules and keys are errors at their own FILE:LINE:COL, all reported at once', () => {
    const r = load(`${PIPELINE}multiline_parsers:
  - name: bad
    type: regex
    rules:
      - state: cont
        regex: '/x/'
        next_state: cont
  - name: bad2
    type: regex
    rules:
      - state: start_state
        regex: '/(unclosed/'
        next_state: cont
  - name: bad3
    type: regex
    rules:
      - state: start_state
        regex: '/a/'
        next_state: contt
      - state: cont
        regex: '/b/'
  - name: bad4
    type: regexp
    flush_timeout: soon
  - name: bad5
    type: regex
    rules:
      - state: start_state
        regexp: '/a/'
`);
    const lines = r.errors.map((e) => e.toLine().replace(/^.*w\.yaml/, 'w.yaml'));
    expect(lines).toEqual([
      expect.stringMatching(/^w\.yaml:11:9: multiline parser 'bad': the first rule must start in 'start_state' \(it has 'cont'\)/),
      expect.stringMatching(/^w\.yaml:17:9: multiline parser 'bad2': rule 1: regex \/\(unclosed\/ does not compile/),
      expect.stringMatching(/^w\.yaml:23:9: multiline parser 'bad3': rule 1: next state 'contt' is not the state of any rule; did you mean 'cont'\?/),
      expect.stringMatching(/^w\.yaml:29:5: multiline parser 'bad4': 'type' expects one of regex, endswith, equal, eq, got 'regexp'/),
      expect.stringMatching(/^w\.yaml:30:5: multiline parser 'bad4': 'flush_timeout' expects an integer/),
      expect.stringMatching(/^w\.yaml:34:9: multiline parser 'bad5': unknown rule key 'regexp'; did you mean 'regex'\?/),
    ]);
  });

  it('a multiline parser naming an undefined parser is an error at its parser key', () => {
    const r = load(`${PIPELINE}multiline_parsers:
  - name: m
    type: regex
    parser: nope
    rules:
      - { state: start_state, regex: '/a/' }
`);
    expect(r.errors.map((e) => e.toLine())).toEqual([expect.stringMatching(/w\.yaml:10:5: multiline parser 'm': parser 'nope' is not defined/)]);
  });
});

describe('classic rule text (the [MULTILINE_PARSER] loader gives these as rule entries)', () => {
  it('parses quoted tokens with several from-states, and a rule without a next state', () => {
    expect(ruleFromText('"start_state, java_start"  "/(Dec \\d+ \\d+\\:\\d+)(.*)/" "cont"')).toEqual({ from: ['start_state', 'java_start'], regex: '/(Dec \\d+ \\d+\\:\\d+)(.*)/', to: 'cont' });
    expect(ruleFromText('"cont" "/^\\s+\\"at\\".*/"')).toEqual({ from: ['cont'], regex: '/^\\s+"at".*/', to: undefined });
    expect(ruleFromText('"cont"')).toMatch(/must be "state" "regex" "next_state" \(got 1 part\)/);
    expect(ruleFromText('"cont" "/x/')).toMatch(/unclosed quote/);
  });

  it('rule entries from a classic section build the same parser, errors at the rule\'s line', () => {
    const pos = (line: number) => ({ file: 'parsers.conf', line, col: 5 });
    const section: RawSection = { kind: 'multiline_parser', name: 'exception_test', pos: pos(1), entries: [
      { key: 'type', value: 'regex', pos: pos(3) },
      { key: 'flush_timeout', value: '1000', pos: pos(4) },
      { key: 'rule', value: '"start_state"  "/(Dec \\d+ \\d+\\:\\d+\\:\\d+)(.*)/" "cont"', pos: pos(5) },
      { key: 'rule', value: '"cont" "/^\\s+at.*/" "conte"', pos: pos(6) },
    ] };
    const { errors } = buildMultilineParsers([section], buildParsers([]).lookup);
    expect(errors.map((e) => e.toLine())).toEqual([expect.stringMatching(/^parsers\.conf:6:5: multiline parser 'exception_test': rule 2: next state 'conte'/)]);
  });
});
