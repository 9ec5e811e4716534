import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runWren, writeConfig } from '../helpers/cli.js';

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.(ya?ml|conf)$/.test(name)) out.push(p);
  }
  return out;
}

describe('wren CLI', () => {
  it('prints help and version', async () => {
    const help = await runWren(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/wren check -c FILE/);
    const v = await runWren(['--version']);
    expect(v.stdout).toMatch(/^wren \d+\.\d+\.\d+/);
  });

  it('rejects bad usage with one line', async () => {
    const r = await runWren(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    const r2 = await runWren(['check']);
    expect(r2.stderr).toMatch(/needs -c FILE/);
  });

  it('`wren check` passes on every configuration (YAML and classic) in config/ and examples/', async () => {
    const files = [...yamlFiles(join(ROOT, 'config')), ...yamlFiles(join(ROOT, 'examples'))];
    expect(files.length).toBeGreaterThan(0);
    // examples may refer to ${VARS} a deployment sets; give them harmless values. Checked side by side.
    const env = { AWS_REGION: 'us-east-1', OPENSEARCH_HOST: 'search.example.com', CLOUDWATCH_LOG_GROUP: 'app', HTTP_ENDPOINT: 'ingest.example.com', OSIS_HOST: 'pipeline.example.com', NODE_NAME: 'node-1' };
    const results = await Promise.all(files.map((f) => runWren(['check', '-c', f], { env, timeoutMs: 60_000 })));
    for (const [i, r] of results.entries()) {
      const f = files[i]!;
      expect(r.stderr, f).toBe('');
      expect(r.code, f).toBe(0);
      expect(r.stdout).toMatch(/: OK\n/);
    }
  }, 90_000);

  it('`wren check` prints the resolved pipeline with masked secrets', async () => {
    const file = writeConfig(`pipeline:
  inputs:
    - name: dummy
      tag: app
  filters:
    - name: grep
      match: 'app*'
      regex: message x
  outputs:
    - name: http
      match: '*'
      http_user: me
      http_passwd: hunter2
`);
    const r = await runWren(['check', '-c', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/inputs:\n  dummy\.0 \(dummy\) tag app/);
    expect(r.stdout).toMatch(/filters:\n  grep\.0 \(grep\) match app\* {2}regex=message x/);
    expect(r.stdout).toMatch(/outputs:\n  http\.0 \(http\) match \*.*http_passwd=\*\*\*/);
    expect(r.stdout).not.toMatch(/hunter2/);
  });

  it('`wren check` reports broken configs as FILE:LINE:COL lines, never a stack trace', async () => {
    const cases: Array<[string, RegExp]> = [
      ['pipeline:\n  inputs:\n    - name: dummy\n   rate: 1\n', /wren\.yaml:4:1: invalid YAML: .*indentation/],
      ["pipeline:\n  inputs:\n    - name: dummy\n      rat: 1\n  outputs:\n    - name: stdout\n      match: '*'\n", /wren\.yaml:4:7: unknown key 'rat' for input 'dummy'; did you mean 'rate'\?/],
      ["pipeline:\n  inputs:\n    - name: dummy\n      rate: fast\n  outputs:\n    - name: stdout\n      match: '*'\n", /wren\.yaml:4:7: input 'dummy': 'rate' expects an integer, got 'fast'/],
      ["pipeline:\n  inputs:\n    - name: dummy\n      tag: ${WREN_TEST_UNSET}\n  outputs:\n    - name: stdout\n      match: '*'\n", /wren\.yaml:4:12: environment variable 'WREN_TEST_UNSET' is not set/],
      ["pipeline:\n  inputs:\n    - name: dummy\n      dummy: '{not json'\n  outputs:\n    - name: stdout\n      match: '*'\n", /wren\.yaml:4:7: input 'dummy': 'dummy' expects JSON/],
      ["pipeline:\n  inputs:\n    - name: dummy\n  filters:\n    - name: grep\n      match: '*'\n      regex: onlykey\n  outputs:\n    - name: stdout\n      match: '*'\n", /wren\.yaml:7:7: filter 'grep\.0': 'regex onlykey' needs a key and a regular expression/],
    ];
    for (const [yaml, re] of cases) {
      const file = writeConfig(yaml);
      const r = await runWren(['check', '-c', file], { cwd: join(file, '..') });
      expect(r.code, yaml).toBe(1);
      expect(r.stderr, yaml).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('the default pipeline (npm start) reads every sample log through kubernetes and parser, then exits 0', async () => {
    const r = await runWren(['run', '-c', 'config/wren.yaml']);
    expect(r.code).toBe(0);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown> & { kubernetes: Record<string, string> });
    expect(records.length).toBe(31);
    expect(new Set(records.map((x) => x.kubernetes.namespace_name))).toEqual(new Set(['shop', 'default', 'frontend']));
    // the nginx access log was parsed into fields; JSON messages were merged
    expect(records.some((x) => x.kubernetes.container_name === 'nginx' && x.method === 'GET' && typeof x.path === 'string')).toBe(true);
    expect(records.some((x) => x.kubernetes.container_name === 'checkout' && x.msg === 'request completed')).toBe(true);
  });

  it('runs a bounded pipeline and exits 0 when everything was delivered', async () => {
    const file = writeConfig(`service:
  flush: 100ms
pipeline:
  inputs:
    - name: dummy
      dummy: '{"message":"hi","level":"warn"}'
      rate: 100
      samples: 5
      start_time_sec: 1700000000
  filters:
    - name: modify
      match: '*'
      rename: level severity
      add: env test
  outputs:
    - name: stdout
      match: '*'
      format: json_lines
      json_date_format: iso8601
`);
    const r = await runWren(['run', '-c', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toEqual({ date: '2023-11-14T22:13:20.000000Z', message: 'hi', severity: 'warn', env: 'test' });
  });

  it('prints Fluent Bit-style readable records by default', async () => {
    const file = writeConfig(`pipeline:
  inputs:
    - name: dummy
      tag: my.tag
      samples: 1
      start_time_sec: 1700000000
  outputs:
    - name: stdout
      match: '*'
`);
    const r = await runWren(['-c', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('[0] my.tag: [1700000000.000000000, {"message":"dummy"}]\n');
  });
});
