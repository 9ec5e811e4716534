import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/cli.js';

function load(yaml: string, env: NodeJS.ProcessEnv = {}, extra: Record<string, string> = {}) {
  const dir = tempDir();
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  const file = join(dir, 'w.yaml');
  writeFileSync(file, yaml);
  return loadConfig(file, { env });
}

const MIN = `pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: stdout
      match: '*'
`;

describe('loadConfig', () => {
  it('reads a Fluent Bit YAML pipeline with typed options and defaults', () => {
    const { config, errors } = load(`service:
  flush: 500ms
  Log_Level: debug
pipeline:
  inputs:
    - name: dummy
      Tag: app.log
      rate: 10
      mem_buf_limit: 5MB
  filters:
    - name: grep
      match: 'app.*'
      regex: message ^d
  outputs:
    - name: http
      match_regex: '^app\\.'
      host: 127.0.0.1
      port: 9999
      header:
        - X-One 1
        - X-Two 2
      tls: off
`);
    expect(errors.map((e) => e.toLine())).toEqual([]);
    const c = config!;
    expect(c.service.flushMs).toBe(500);
    expect(c.service.logLevel).toBe('debug');
    expect(c.inputs[0]!.id).toBe('dummy.0');
    expect(c.inputs[0]!.options.str('tag')).toBe('app.log');
    expect(c.inputs[0]!.options.num('mem_buf_limit')).toBe(5 * 1024 * 1024);
    expect(c.filters[0]!.matcher!('app.log')).toBe(true);
    expect(c.filters[0]!.matcher!('other')).toBe(false);
    const http = c.outputs[0]!;
    expect(http.options.list('header')).toEqual(['X-One 1', 'X-Two 2']);
    expect(http.options.bool('tls')).toBe(false);
    expect(http.options.bool('tls.verify')).toBe(true);
    expect(http.options.num('port')).toBe(9999);
    expect(http.matcher!('app.x')).toBe(true);
  });

  it('expands ${VAR} from env: and the environment, with defaults', () => {
    const { config, errors } = load(`env:
  RATE: 7
service:
  flush: \${FLUSH:-2}
pipeline:
  inputs:
    - name: dummy
      rate: \${RATE}
      tag: \${APP}.log
  outputs:
    - name: stdout
      match: '*'
`, { APP: 'web' });
    expect(errors).toEqual([]);
    expect(config!.service.flushMs).toBe(2000);
    expect(config!.inputs[0]!.options.num('rate')).toBe(7);
    expect(config!.inputs[0]!.options.str('tag')).toBe('web.log');
  });

  it('reports a missing variable at its place, once', () => {
    const { errors } = load(MIN.replace('- name: dummy', '- name: dummy\n      rate: ${NOPE}'));
    expect(errors.map((e) => e.toLine())).toEqual([
      expect.stringMatching(/w\.yaml:4:13: environment variable 'NOPE' is not set \(.*\$\{NOPE:-value\}\)$/),
    ]);
  });

  it('merges includes relative to the including file', () => {
    const { config, errors } = load(`includes:
  - out.yaml
pipeline:
  inputs:
    - name: dummy
`, {}, { 'out.yaml': "pipeline:\n  outputs:\n    - name: null\n      match: '*'\n" });
    expect(errors).toEqual([]);
    expect(config!.outputs.map((o) => o.id)).toEqual(['null.0']);
  });

  it('reports every error with file:line:col, sorted', () => {
    const { errors } = load(`service:
  flush: fast
pipeline:
  inputs:
    - name: dumy
    - name: dummy
      rte: 5
  outputs:
    - name: stdout
      formt: json
`);
    const lines = errors.map((e) => e.toLine());
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/w\.yaml:2:3: 'service': 'flush' expects a duration/);
    expect(lines[1]).toMatch(/w\.yaml:5:7: unknown input plugin 'dumy'; did you mean 'dummy'\?/);
    expect(lines[2]).toMatch(/w\.yaml:7:7: unknown key 'rte' for input 'dummy'; did you mean 'rate'\?/);
    expect(lines[3]).toMatch(/w\.yaml:9:7: output 'stdout' has no 'match'/);
    expect(lines[4]).toMatch(/w\.yaml:10:7: unknown key 'formt' for output 'stdout'; did you mean 'format'\?/);
  });

  it('reports bad indentation as a YAML error at its place', () => {
    const { errors } = load('pipeline:\n  inputs:\n    - name: dummy\n   rate: 1\n');
    expect(errors[0]!.toLine()).toMatch(/w\.yaml:4:1: invalid YAML: .*indentation/);
  });

  it('names the expected type', () => {
    const { errors } = load(MIN.replace("match: '*'", "match: '*'\n      retry_limit: lots"));
    expect(errors.map((e) => e.toLine()).join('\n')).toMatch(/'retry_limit' expects a number, no_limits, false or no_retries, got 'lots'/);
  });

  it('accepts keys in any case and repeated multi keys', () => {
    const { config, errors } = load(`pipeline:
  inputs:
    - Name: dummy
  filters:
    - Name: modify
      Match: '*'
      Add: a 1
      ADD: b 2
  outputs:
    - name: null
      match: '*'
`);
    expect(errors).toEqual([]);
    expect(config!.filters[0]!.options.list('add')).toEqual(['a 1', 'b 2']);
  });
});
