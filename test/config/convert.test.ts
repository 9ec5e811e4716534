import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/commands/check.js';
import { classicToYaml } from '../../src/config/classic-to-yaml.js';
import { loadRaw } from '../../src/config/config-format.js';
import type { RawSection } from '../../src/config/types.js';
import { ROOT, runWren, tempDir } from '../helpers/cli.js';

// `wren convert`: classic → YAML, and `wren check` says the same of both.

function files(tree: Record<string, string>): string {
  const dir = tempDir('wren-convert-');
  for (const [name, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const KIND_ORDER = ['service', 'input', 'filter', 'output', 'parser', 'multiline_parser'];

/**
 * What sections say, without positions: kinds grouped (order matters only within a kind, as in
 * both syntaxes), and a key on consecutive lines taken as one list (the YAML spelling of a repeat).
 */
function shape(sections: RawSection[]): unknown {
  const sorted = [...sections].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  return sorted.map((s) => {
    const entries: Array<[string, unknown]> = [];
    for (const e of s.entries) {
      const last = entries[entries.length - 1];
      const values = Array.isArray(e.value) && e.value.every((v) => typeof v === 'string') ? e.value : [e.value];
      if (last && last[0] === e.key) (last[1] as unknown[]).push(...values);
      else entries.push([e.key, [...values]]);
    }
    return { kind: s.kind, name: s.name, entries };
  });
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** `wren check` in-process: its exit code, what it printed after the file's own name, and its errors without places (sorted: the files differ). */
async function check(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; errors: string[] }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCheck(file, { env, stdout, stderr });
  const errors = stderr.text.split('\n').filter((l) => l && !/^\d+ error\(s\)/.test(l))
    .map((l) => l.replace(/^(warning: )?\S+:\d+:\d+: /, '$1').replace(/ \[included from [^\]]*\]$/, '').replace(/'[^']*(parsers\.conf)'/, "'$1'")).sort();
  return { code, out: stdout.text.split('\n').slice(1).join('\n'), errors };
}

async function convertAndCompare(conf: string, out: string, env: NodeJS.ProcessEnv): Promise<{ yaml: string; check: Awaited<ReturnType<typeof check>> }> {
  const r = classicToYaml(conf, out);
  expect(r.errors.map((e) => e.toLine())).toEqual([]);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, r.yaml!);
  const a = loadRaw(conf, env);
  const b = loadRaw(out, env);
  const strip = (l: string) => l.replace(/^\S+:\d+:\d+: /, '').replace(/ \[included from [^\]]*\]$/, '');
  expect(b.errors.map((e) => strip(e.toLine()))).toEqual(a.errors.map((e) => strip(e.toLine())));
  // parsers_file paths are rebased for the output's directory: compare where they point
  const where = (file: string, sections: RawSection[]) => sections.map((s) => ({ ...s, entries: s.entries.map((e) =>
    e.key === 'parsers_file' ? { ...e, value: (Array.isArray(e.value) ? e.value : [e.value]).map((v) => resolve(dirname(file), String(v))) } : e) }));
  expect(shape(where(out, b.sections))).toEqual(shape(where(conf, a.sections)));
  const before = await check(conf, env);
  const after = await check(out, env);
  expect(after).toEqual(before);
  return { yaml: r.yaml!, check: before };
}

const RICH = {
  'fluent-bit.conf': `# Node logs to two places.
# Second line of the header.
@SET CLUSTER=prod

[SERVICE]
    # flush often
    Flush         1
    Log_Level     info
    Parsers_File  parsers/app.conf

@INCLUDE conf.d/*.conf

[FILTER]
    Name    modify
    Match   *
    # these two are one list
    Add     cluster \${CLUSTER}
    Add     region \${REGION:-eu-west-1}
    Rename  log message
    # a later repeat keeps its place
    Add     after rename
    Remove_regex ^((?!x).)*$

[OUTPUT]
    Name    stdout
    Match   *
    Format  json_lines
# trailing words
`,
  'conf.d/10-in.conf': `# the input
[INPUT]
    Name    dummy
    Tag     app.one
    Dummy   {"log":"a: b # c","n":"1.50"}
    Samples 1
`,
  'conf.d/20-grep.conf': `[FILTER]
    Name   grep
    Match  app.*
    Exclude log ^\\s*$
    Regex  log  [a-z]+
`,
  'parsers/app.conf': `[PARSER]
    Name   app
    Format regex
    Regex  ^(?<time>[^ ]+) (?<msg>.*)$
`,
};

describe('wren convert', () => {
  it('writes YAML that loads into the same sections and checks the same; includes inlined, comments kept, order kept', async () => {
    const dir = files({
      ...RICH,
      'conf.d/30-ml.conf': `[MULTILINE_PARSER]
    name          java
    type          regex
    flush_timeout 1000
    # first line of an exception
    rule   "start_state"  "/^\\d{4}-\\d{2}-\\d{2} .*/"  "cont"
    rule   "cont"         "/^\\s+at .*/"               "cont"
    key_content   log
`,
    });
    // the multiline parser is loaded raw (its engine is elsewhere), so compare the sections only
    const r = classicToYaml(join(dir, 'fluent-bit.conf'));
    writeFileSync(join(dir, 'x.yaml'), r.yaml!);
    expect(shape(loadRaw(join(dir, 'x.yaml'), {}).sections)).toEqual(shape(loadRaw(join(dir, 'fluent-bit.conf'), {}).sections));
    expect(r.yaml).toContain(`multiline_parsers:
  # (from conf.d/30-ml.conf)
  - name: java
    type: regex
    flush_timeout: 1000
    rules:
      # first line of an exception
      - state: start_state
        regex: /^\\d{4}-\\d{2}-\\d{2} .*/
        next_state: cont
      - state: cont
        regex: /^\\s+at .*/
        next_state: cont
    key_content: log
`);
  });

  it('the YAML of a runnable config: same check output, comments where they were, paths rebased to the output directory', async () => {
    const dir = files(RICH);
    const { yaml, check: c } = await convertAndCompare(join(dir, 'fluent-bit.conf'), join(dir, 'yaml', 'fluent-bit.yaml'), {});
    expect(c.code).toBe(0);
    // filters are numbered across the kind, as Fluent Bit names them: grep.0, modify.1
    expect(c.out).toContain('modify.1 (modify) match *  add=cluster prod | region eu-west-1 | after rename rename=log message');
    expect(yaml).toBe(`# Converted from ../fluent-bit.conf by wren convert.

env:
  # Node logs to two places.
  # Second line of the header.
  CLUSTER: prod
service:
  # flush often
  flush: 1
  log_level: info
  parsers_file: ../parsers/app.conf
pipeline:
  inputs:
    # (from conf.d/10-in.conf)
    # the input
    - name: dummy
      tag: app.one
      dummy: '{"log":"a: b # c","n":"1.50"}'
      samples: 1
  filters:
    # (from conf.d/20-grep.conf)
    - name: grep
      match: app.*
      exclude: log ^\\s*$
      regex: log  [a-z]+
    - name: modify
      match: '*'
      # these two are one list
      add:
        - cluster \${CLUSTER}
        - region \${REGION:-eu-west-1}
      rename: log message
      # a later repeat keeps its place
      add: after rename
      remove_regex: ^((?!x).)*$
  outputs:
    - name: stdout
      match: '*'
      format: json_lines

# trailing words
`);
  });

  it('the CLI: convert -o, then check of the YAML prints what check of the original printed', async () => {
    const dir = files(RICH);
    const conf = join(dir, 'fluent-bit.conf');
    const yaml = join(dir, 'fluent-bit.yaml');
    const conv = await runWren(['convert', '-c', conf, '-o', yaml]);
    expect(conv.code, conv.stderr).toBe(0);
    expect(conv.stderr).toContain(`wrote ${yaml}`);
    const a = await runWren(['check', '-c', conf]);
    const b = await runWren(['check', '-c', yaml]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.stdout.split('\n').slice(1)).toEqual(a.stdout.split('\n').slice(1));
    // without -o: to stdout
    const toStdout = await runWren(['convert', '-c', conf]);
    expect(toStdout.stdout).toBe(readFileSync(yaml, 'utf8'));
  });

  it('refuses YAML input, an output that is not .yaml, and a config it cannot read (writing nothing)', async () => {
    const dir = files({ ...RICH, 'bad.conf': '[INPUT]\n    Name dummy\n  Tag x\n[PLUGINS]\n    Path /a.so\n', 'w.yaml': 'pipeline: {}\n' });
    const y = await runWren(['convert', '-c', join(dir, 'w.yaml')]);
    expect(y.code).toBe(1);
    expect(y.stderr).toContain('is already YAML');
    const o = await runWren(['convert', '-c', join(dir, 'fluent-bit.conf'), '-o', join(dir, 'out.conf')]);
    expect(o.code).toBe(1);
    expect(o.stderr).toContain('must end in .yaml or .yml');
    const out = join(dir, 'bad.yaml');
    const b = await runWren(['convert', '-c', join(dir, 'bad.conf'), '-o', out], { cwd: dir });
    expect(b.code).toBe(1);
    expect(b.stderr.split('\n')).toEqual([
      'bad.conf:3:1: indentation is shallower than the rest of the file (indent every key of this file by the same 4 spaces, as Fluent Bit requires)',
      'bad.conf:4:1: section [PLUGINS] has no YAML equivalent in Wren (remove it, then convert again)',
      `2 error(s) in ${join(dir, 'bad.conf')}; nothing written`,
      '',
    ]);
    expect(existsSync(out)).toBe(false);
  });
});

describe('wren convert on the deployment-shaped configs', () => {
  const env: NodeJS.ProcessEnv = { HTTP_SERVER: 'On', HTTP_PORT: '2020', READ_FROM_HEAD: 'Off', READ_FROM_TAIL: 'On', AWS_REGION: 'us-east-1', CLUSTER_NAME: 'c1', HOST_NAME: 'node-1' };
  for (const name of ['eks-chart', 'container-insights', 'helm-chart', 'opensearch']) {
    it(`${name}: wren check of the YAML equals wren check of the classic config`, async () => {
      const src = join(ROOT, 'test', 'fixtures', 'fluent-bit', name);
      const out = join(tempDir('wren-convert-fx-'), 'fluent-bit.yaml');
      await convertAndCompare(join(src, 'fluent-bit.conf'), out, env);
    });
  }
});
