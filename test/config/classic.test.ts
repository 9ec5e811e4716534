import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRaw } from '../../src/config/config-format.js';
import { loadConfig } from '../../src/config/load.js';
import type { RawSection } from '../../src/config/types.js';
import { tempDir } from '../helpers/cli.js';

// Fluent Bit's classic format: read into the same raw model as YAML, with the same checks.

function files(tree: Record<string, string>): string {
  const dir = tempDir('wren-classic-');
  for (const [name, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function load(tree: Record<string, string>, main = 'fluent-bit.conf', env: NodeJS.ProcessEnv = {}) {
  const dir = files(tree);
  return { dir, ...loadConfig(join(dir, main), { env }) };
}

/** Error lines with the temp dir taken out. */
function lines(r: { dir: string; errors: Array<{ toLine(): string }> }): string[] {
  return r.errors.map((e) => e.toLine().split(r.dir + '/').join(''));
}

/** Sections without positions, to compare what two files say. */
function shape(sections: RawSection[]): unknown {
  return sections.map((s) => ({ kind: s.kind, name: s.name, entries: s.entries.map((e) => [e.key, e.value]) }));
}

const MIN = `[INPUT]
    Name dummy
[OUTPUT]
    Name  stdout
    Match *
`;

describe('classic format: the grammar', () => {
  it('reads sections, indented keys, comments, repeated keys; names and keys in any case; values as written', () => {
    const r = load({
      'fluent-bit.conf': `# a comment at the top
[SERVICE]
    # an indented comment
    Flush        2
    log_level    debug

[input]
    NAME    dummy
    Tag     app.log
    Dummy   {"msg":"a # is not a comment here","q":"\\"quoted\\""}

[FILTER]
    Name   modify
    Match  app.*
    Add    one 1
    Rename msg message
    Add    two  2

[Output]
    Name   stdout
    Match  *
`,
    });
    expect(lines(r)).toEqual([]);
    const c = r.config!;
    expect(c.format).toBe('classic');
    expect(c.service.flushMs).toBe(2000);
    expect(c.service.logLevel).toBe('debug');
    expect(c.inputs[0]!.options.str('tag')).toBe('app.log');
    expect(c.inputs[0]!.options.raw('dummy')).toEqual({ msg: 'a # is not a comment here', q: '"quoted"' });
    // repeated keys stay one entry a line, in order (modify applies them in that order)
    expect(c.filters[0]!.options.entries.map((e) => [e.key, e.value])).toEqual([['match', 'app.*'], ['add', 'one 1'], ['rename', 'msg message'], ['add', 'two  2']]);
    expect(c.filters[0]!.options.list('add')).toEqual(['one 1', 'two  2']);
  });

  it('gives the same raw sections as the equivalent YAML', () => {
    const dir = files({
      'a.conf': `[SERVICE]
    Flush 1
[INPUT]
    Name tail
    Path /var/log/*.log
    multiline.parser docker, cri
[FILTER]
    Name grep
    Match *
    Regex log ^a
    Regex log b$
[OUTPUT]
    Name http
    Match *
    Header X-A 1
[PARSER]
    Name  p
    Format regex
    Regex ^(?<a>.)$
[MULTILINE_PARSER]
    Name          ml
    Type          regex
    Flush_Timeout 1000
    Rule          "start_state"  "/^\\d{4}-\\d{2} .*/"  "cont"
    Rule          "cont"         "/^\\s+at .*/"          "cont"
`,
      'a.yaml': `service:
  flush: 1
pipeline:
  inputs:
    - name: tail
      path: /var/log/*.log
      multiline.parser: docker, cri
  filters:
    - name: grep
      match: '*'
      regex: log ^a
      regex: log b$
  outputs:
    - name: http
      match: '*'
      header: X-A 1
parsers:
  - name: p
    format: regex
    regex: ^(?<a>.)$
multiline_parsers:
  - name: ml
    type: regex
    flush_timeout: 1000
    rules:
      - state: start_state
        regex: '/^\\d{4}-\\d{2} .*/'
        next_state: cont
      - state: cont
        regex: '/^\\s+at .*/'
        next_state: cont
`,
    });
    const classic = loadRaw(join(dir, 'a.conf'), {});
    const yaml = loadRaw(join(dir, 'a.yaml'), {});
    expect(classic.errors).toEqual([]);
    expect(yaml.errors).toEqual([]);
    expect(classic.format).toBe('classic');
    expect(yaml.format).toBe('yaml');
    expect(shape(classic.sections)).toEqual(shape(yaml.sections));
    const ml = classic.sections.find((s) => s.kind === 'multiline_parser')!;
    const rules = ml.entries.filter((e) => e.key === 'rule');
    expect(rules.map((e) => e.value)).toEqual([
      { state: 'start_state', regex: '/^\\d{4}-\\d{2} .*/', next_state: 'cont' },
      { state: 'cont', regex: '/^\\s+at .*/', next_state: 'cont' },
    ]);
    // each rule stands at its own line
    expect(rules[0]!.pos).toMatchObject({ line: 24, col: 5 });
  });

  it('handles CRLF line ends, a byte-order mark, tabs as indentation and a tab between key and value', () => {
    const r = load({ 'fluent-bit.conf': '\ufeff[INPUT]\r\n\tName\tdummy\r\n\tTag\tt\r\n[OUTPUT]\r\n\tName\tstdout\r\n\tMatch\t*\r\n' });
    expect(lines(r)).toEqual([]);
    expect(r.config!.inputs[0]!.options.str('tag')).toBe('t');
  });

  it("applies Fluent Bit's indentation rule: one depth a file (or twice it); less, more or mixed is an error", () => {
    const ok = load({ 'fluent-bit.conf': `[INPUT]\n    Name dummy\n        Tag deeper\n[OUTPUT]\n    Name stdout\n    Match *\n  # a comment may sit anywhere\n` });
    expect(lines(ok)).toEqual([]);
    const bad = load({ 'fluent-bit.conf': `[INPUT]\n    Name dummy\n  Tag t\n      Rate 1\n\t  Samples 1\nName x\n[OUTPUT]\n    Name stdout\n    Match *\n` });
    expect(lines(bad)).toEqual([
      'fluent-bit.conf:3:1: indentation is shallower than the rest of the file (indent every key of this file by the same 4 spaces, as Fluent Bit requires)',
      'fluent-bit.conf:4:1: indentation is deeper than the rest of the file (indent every key of this file by the same 4 spaces, as Fluent Bit requires)',
      'fluent-bit.conf:5:1: inconsistent use of tabs and spaces in the indentation (indent every key of this file by the same 4 spaces, as Fluent Bit requires)',
      "fluent-bit.conf:6:1: 'Name' is not indented, so it belongs to no section (indent keys under their [SECTION] (four spaces, as Fluent Bit expects))",
    ]);
  });

  it('reports keys without a value, keys before any section, bad headers and unknown commands', () => {
    const r = load({ 'fluent-bit.conf': `    Flush 1\n[INPUT\n[INPUT]\n    Name dummy\n    Tag\n@FOO bar\n@SET novalue\n[OUTPUT]\n    Name stdout\n    Match *\n` });
    expect(lines(r)).toEqual([
      "fluent-bit.conf:1:5: key 'Flush' comes before any [SECTION] (put it under [SERVICE], [INPUT], [FILTER] or [OUTPUT])",
      "fluent-bit.conf:2:1: section header '[INPUT' has no closing ']' (write it as [INPUT], [FILTER], [OUTPUT], ...)",
      "fluent-bit.conf:5:5: key 'Tag' has no value (write 'Tag VALUE' on one line)",
      "fluent-bit.conf:6:1: unknown command '@FOO' (the classic format has @INCLUDE FILE and @SET KEY=VALUE)",
      "fluent-bit.conf:7:1: @SET expects KEY=VALUE, got 'novalue' (e.g. @SET CLUSTER=prod, then use ${CLUSTER} in values)",
    ]);
  });

  it('validates exactly as YAML does: unknown keys with "did you mean", types, the section without a Name', () => {
    const r = load({
      'fluent-bit.conf': `[SERVICE]
    Flsh 1
[INPUT]
    Name   dummy
    Rate   fast
[INPUT]
    Tag    nameless
[OUTPUT]
    Name   stdout
    Match  *
    Formatt json
`,
    });
    expect(lines(r)).toEqual([
      "fluent-bit.conf:2:5: unknown key 'flsh' for 'service'; did you mean 'flush'?",
      "fluent-bit.conf:5:5: input 'dummy': 'rate' expects an integer, got 'fast'",
      "fluent-bit.conf:6:1: [INPUT] section has no 'Name' (add e.g. 'Name tail')",
      "fluent-bit.conf:11:5: unknown key 'formatt' for output 'stdout'; did you mean 'format'?",
    ]);
  });

  it('names unsupported and unknown sections with their place', () => {
    const r = load({ 'fluent-bit.conf': `[PLUGINS]\n    Path /a.so\n[UPSTREAM]\n    name u\n[CUSTOM]\n    name calyptia\n[OUTPTU]\n    Name x\n${MIN}` });
    expect(lines(r)).toEqual([
      'fluent-bit.conf:1:1: section [PLUGINS] is not supported by Wren (Wren loads no external plugins; remove the section)',
      'fluent-bit.conf:3:1: section [UPSTREAM] is not supported by Wren (Wren has no upstream (load-balancing) definitions; point the output at one host)',
      "fluent-bit.conf:5:1: section [CUSTOM] is not supported by Wren (Wren has no 'custom' plugins; remove the section)",
      "fluent-bit.conf:7:1: unknown section [OUTPTU]; did you mean 'OUTPUT'? (sections are [SERVICE], [INPUT], [FILTER], [OUTPUT], [PARSER], [MULTILINE_PARSER])",
    ]);
  });

  it('says which hint fits the syntax when the pipeline is empty', () => {
    const r = load({ 'fluent-bit.conf': '[SERVICE]\n    Flush 1\n' });
    expect(lines(r)).toEqual([
      expect.stringMatching(/fluent-bit\.conf:1:1: the pipeline has no inputs \(add an \[INPUT\] section\)$/),
      expect.stringMatching(/fluent-bit\.conf:1:1: the pipeline has no outputs \(add an \[OUTPUT\] section, e\.g\. Name stdout, Match \*\)$/),
    ]);
  });
});

describe('classic format: @SET and ${VAR}', () => {
  it('@SET defines variables for every file, wherever it stands; the last one wins; it goes before the environment', () => {
    const r = load({
      'fluent-bit.conf': `[INPUT]
    Name dummy
    Tag  \${APP}.\${ENV_ONLY}.\${MISSING:-dflt}
@INCLUDE out.conf
@SET APP=first
@SET APP=web
`,
      'out.conf': `@SET ENV_ONLY=from-set\n[OUTPUT]\n    Name stdout\n    Match \${APP}.*\n`,
    }, 'fluent-bit.conf', { APP: 'from-env', ENV_ONLY: 'env' });
    expect(lines(r)).toEqual([]);
    expect(r.config!.inputs[0]!.options.str('tag')).toBe('web.from-set.dflt');
    expect(r.config!.outputs[0]!.matchText).toBe('web.*');
  });

  it('an unset variable is an error at the value (Fluent Bit would make it empty)', () => {
    const r = load({ 'fluent-bit.conf': `[INPUT]\n    Name dummy\n    Tag  app.\${NOPE}\n[OUTPUT]\n    Name stdout\n    Match *\n` });
    expect(lines(r)).toEqual([
      "fluent-bit.conf:3:10: environment variable 'NOPE' is not set (set it, define it with '@SET NOPE=value', or give a default: ${NOPE:-value})",
    ]);
  });
});

describe('classic format: @INCLUDE', () => {
  it('includes relative to the including file, then to the main file; globs in name order; sections keep reading order', () => {
    const r = load({
      'fluent-bit.conf': `[SERVICE]\n    Flush 1\n@INCLUDE conf/inputs.conf\n@INCLUDE conf/outputs/*.conf\n`,
      'conf/inputs.conf': `@INCLUDE more/b.conf\n@INCLUDE shared.conf\n`,
      'conf/more/b.conf': `[INPUT]\n    Name dummy\n    Tag b\n`,
      // not next to conf/inputs.conf: found next to the main file, as Fluent Bit looks there
      'shared.conf': `[INPUT]\n    Name dummy\n    Tag shared\n`,
      'conf/outputs/2-second.conf': `[OUTPUT]\n    Name stdout\n    Match b\n`,
      'conf/outputs/1-first.conf': `[OUTPUT]\n    Name null\n    Match *\n`,
      'conf/outputs/ignored.txt': `not a conf\n`,
    });
    expect(lines(r)).toEqual([]);
    expect(r.config!.inputs.map((i) => i.options.str('tag'))).toEqual(['b', 'shared']);
    expect(r.config!.outputs.map((o) => o.def.name)).toEqual(['null', 'stdout']);
  });

  it('errors in an included file name that file, its line and the include chain', () => {
    const r = load({
      'fluent-bit.conf': `@INCLUDE a.conf\n[OUTPUT]\n    Name stdout\n    Match *\n`,
      'a.conf': `# a\n@INCLUDE b.conf\n`,
      'b.conf': `[INPUT]\n    Name dummy\n    Rat 1\n`,
    });
    expect(lines(r)).toEqual([
      "b.conf:3:5: unknown key 'rat' for input 'dummy'; did you mean 'rate'? [included from a.conf:2, from fluent-bit.conf:1]",
    ].map((l) => expect.stringContaining(l)));
  });

  it('a missing file, a pattern matching nothing and a cycle are errors at the @INCLUDE line', () => {
    const r = load({
      'fluent-bit.conf': `@INCLUDE missing.conf\n@INCLUDE none/*.conf\n@INCLUDE a.conf\n@INCLUDE c.conf\n${MIN}`,
      'a.conf': `@INCLUDE b.conf\n`,
      'b.conf': `@INCLUDE a.conf\n@INCLUDE c.conf\n`,
      'c.conf': `# shared\n`,
    });
    const l = lines(r).map((x) => x.replace(/\/[^ ']*\//g, ''));
    expect(l).toEqual([
      'b.conf:1:1: include cycle: a.conf → b.conf → a.conf (remove the @INCLUDE that leads back to a file that includes it) [included from a.conf:1, from fluent-bit.conf:3]',
      "fluent-bit.conf:1:1: cannot read configuration file 'missing.conf' (ENOENT) (check the @INCLUDE path (relative to the including file))",
      "fluent-bit.conf:2:1: @INCLUDE pattern 'none/*.conf' matches no file",
    ]);
  });

  it('an include diamond (two files include the same third) is not a cycle: the shared file is read once', () => {
    const r = load({
      'fluent-bit.conf': `@INCLUDE left.conf\n@INCLUDE right.conf\n[INPUT]\n    Name dummy\n`,
      'left.conf': `@INCLUDE shared.conf\n`,
      'right.conf': `@INCLUDE shared.conf\n`,
      'shared.conf': `[OUTPUT]\n    Name stdout\n    Match *\n`,
    });
    expect(lines(r)).toEqual([]);
    expect(r.config!.outputs.map((o) => o.id)).toEqual(['stdout.0']);
  });
});

describe('format by extension', () => {
  it('.yaml / .yml are YAML, anything else (also no extension) classic', () => {
    const dir = files({ 'a.yml': 'pipeline:\n  inputs:\n    - name: dummy\n  outputs:\n    - name: stdout\n      match: "*"\n', 'fluent-bit': MIN, 'x.CONF': MIN });
    expect(loadRaw(join(dir, 'a.yml'), {}).format).toBe('yaml');
    for (const f of ['a.yml', 'fluent-bit', 'x.CONF']) expect(loadConfig(join(dir, f), { env: {} }).errors).toEqual([]);
  });

  it('a .conf holding YAML, or a .yaml holding classic sections: says which syntax was assumed and why', () => {
    const r1 = load({ 'wren.conf': 'pipeline:\n  inputs:\n    - name: dummy\n' }, 'wren.conf');
    expect(lines(r1)[0]).toBe("wren.conf:1:1: read as Fluent Bit's classic format because its name does not end in .yaml or .yml, but it looks like YAML (line 1: 'pipeline:') (rename it to end in .yaml)");
    expect(lines(r1)).toHaveLength(2);
    const r2 = load({ 'fluent-bit.yaml': '@SET A=1\n[INPUT]\n    Name dummy\n' }, 'fluent-bit.yaml');
    expect(lines(r2)[0]).toBe("fluent-bit.yaml:1:1: read as YAML because its name ends in '.yaml', but it looks like Fluent Bit's classic format (line 2: '[INPUT]') (rename it to end in .conf)");
  });
});

describe('parsers files', () => {
  const PARSERS = `[PARSER]
    Name        access
    Format      regex
    Regex       ^(?<host>[^ ]+) (?<code>\\d+) (?<time>[^ ]+)$
    Time_Key    time
    Time_Format %Y-%m-%dT%H:%M:%S%z
    Time_Keep   On
    Types       code:integer

[MULTILINE_PARSER]
    name  java
    type  regex
    rule  "start_state" "/^\\d{4}/" "cont"
    rule  "cont"        "/^\\s+at/" "cont"
`;

  it('parsers_file (repeatable, classic or YAML by extension) adds parsers; multiline parsers are kept raw for the multiline engine', () => {
    const r = load({
      'fluent-bit.conf': `[SERVICE]\n    Parsers_File parsers/custom.conf\n    Parsers_File more.yaml\n[INPUT]\n    Name dummy\n[FILTER]\n    Name parser\n    Match *\n    Key_Name log\n    Parser access\n[FILTER]\n    Name parser\n    Match *\n    Key_Name log\n    Parser kv\n${MIN.slice(MIN.indexOf('[OUTPUT]'))}`,
      'parsers/custom.conf': PARSERS,
      'more.yaml': 'parsers:\n  - name: kv\n    format: logfmt\n',
    });
    expect(lines(r)).toEqual([]);
    const p = r.config!.parsers.get('access')!;
    expect(p.parse('h1 200 2025-03-14T09:26:53+0000')).toEqual({ time: Date.UTC(2025, 2, 14, 9, 26, 53), record: { host: 'h1', code: 200, time: '2025-03-14T09:26:53+0000' } });
    expect(r.config!.parsers.get('kv')!.parse('a=1 b=x')!.record).toEqual({ a: '1', b: 'x' });
    expect(r.config!.multilineParsers.map((s) => [s.name, s.entries.map((e) => [e.key, e.value])])).toEqual([
      ['java', [['type', 'regex'], ['rule', { state: 'start_state', regex: '/^\\d{4}/', next_state: 'cont' }], ['rule', { state: 'cont', regex: '/^\\s+at/', next_state: 'cont' }]]],
    ]);
  });

  it('-R files (LoadOptions.parsersFiles) are read from the working directory', () => {
    const dir = files({ 'p.conf': PARSERS, 'fluent-bit.conf': MIN });
    const r = loadConfig(join(dir, 'fluent-bit.conf'), { env: {}, parsersFiles: [join(dir, 'p.conf')] });
    expect(r.errors).toEqual([]);
    expect(r.config!.parsers.get('access')).toBeDefined();
  });

  it('a parsers file may hold only parsers; a missing one is an error at its parsers_file line, except the stock parsers.conf', () => {
    const r = load({
      'fluent-bit.conf': `[SERVICE]\n    Parsers_File missing.conf\n    Parsers_File bad.conf\n    Parsers_File /fluent-bit/etc/parsers.conf\n${MIN}`,
      'bad.conf': `[INPUT]\n    Name dummy\n[PARSER]\n    Name x\n    Format jsn\n`,
    });
    expect(lines(r)).toEqual([
      "bad.conf:1:1: parsers file 'bad.conf' holds [INPUT]; a parsers file holds only [PARSER] and [MULTILINE_PARSER] sections (move it to the main configuration)",
      "bad.conf:5:5: parser 'x': 'format' expects one of json, regex, logfmt, ltsv, got 'jsn'; did you mean 'json'?",
      "fluent-bit.conf:2:5: cannot read parsers file 'missing.conf' (ENOENT) (a relative parsers_file is looked up next to the configuration file, then in the working directory)",
    ].map((l) => expect.stringContaining(l)));
    expect(r.warnings.map((w) => w.toLine())).toEqual([
      expect.stringMatching(/fluent-bit\.conf:4:5: parsers file '\/fluent-bit\/etc\/parsers\.conf' does not exist; using the Fluent Bit stock parsers built into Wren/),
    ]);
  });
});

describe('plugins Wren does not have', () => {
  it('one line each: which, where, and what Wren has instead', () => {
    const r = load({
      'fluent-bit.conf': `[INPUT]\n    Name cpu\n[INPUT]\n    Name dumy\n[FILTER]\n    Name lua\n    Match *\n[OUTPUT]\n    Name elasticsearch\n    Match *\n[OUTPUT]\n    Name loki\n    Match *\n`,
    });
    const l = lines(r);
    expect(l[0]).toMatch(/^fluent-bit\.conf:1:1: input plugin 'cpu' is a Fluent Bit plugin that Wren does not have \(Wren collects no host metrics; its own are at \/api\/v2\/metrics\/prometheus; Wren's inputs: .*tail.*\)$/);
    expect(l[1]).toMatch(/^fluent-bit\.conf:3:1: unknown input plugin 'dumy'; did you mean 'dummy'\? \(Wren's inputs: /);
    expect(l[2]).toMatch(/^fluent-bit\.conf:5:1: filter plugin 'lua' is a Fluent Bit plugin that Wren does not have \(instead: modify.*; Wren runs no scripts; field changes are declarative\)$/);
    expect(l[3]).toMatch(/^fluent-bit\.conf:8:1: output plugin 'elasticsearch' is a Fluent Bit plugin that Wren does not have \(instead: opensearch\)$/);
    expect(l[4]).toMatch(/^fluent-bit\.conf:11:1: output plugin 'loki' is a Fluent Bit plugin that Wren does not have \(instead: http; /);
    expect(l).toHaveLength(5);
  });
});
