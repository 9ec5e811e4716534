import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/cli.js';

function load(tree: Record<string, string>, main = 'wren.yaml') {
  const dir = tempDir();
  for (const [name, text] of Object.entries(tree)) writeFileSync(join(dir, name), text);
  return loadConfig(join(dir, main), { env: {} });
}

const lines = (r: ReturnType<typeof load>) => r.errors.map((e) => e.toLine().replace(/\/[^ ']*\//g, ''));

describe('YAML anchors and aliases', () => {
  it('are expanded: a scalar, a whole plugin item, and merge keys (<<) whose keys written beside them win', () => {
    const r = load({ 'wren.yaml': `service:
  flush: &often 1
  grace: *often
pipeline:
  inputs:
    - &tick
      name: dummy
      tag: a
      rate: 2
    - <<: *tick
      tag: b
    - *tick
  outputs:
    - name: stdout
      match: &all '*'
    - name: null
      match: *all
` });
    expect(lines(r)).toEqual([]);
    const c = r.config!;
    expect(c.service.graceMs).toBe(1000);
    expect(c.inputs.map((i) => [i.options.str('tag'), i.options.num('rate')])).toEqual([['a', 2], ['b', 2], ['a', 2]]);
    expect(c.outputs.map((o) => o.matchText)).toEqual(['*', '*']);
  });

  it('a document whose aliases expand exponentially ("billion laughs") is refused quickly, naming the place', () => {
    let anchors = 'x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i <= 9; i++) anchors += `      x${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]\n`;
    const t0 = performance.now();
    const r = load({ 'wren.yaml': `pipeline:
  inputs:
    - name: dummy
      dummy: *a9
  outputs:
    - name: stdout
      match: '*'
  filters:
    - name: modify
      match: '*'
      ${anchors}` });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(lines(r).some((l) => /wren\.yaml:\d+:\d+: YAML aliases here expand too much/.test(l))).toBe(true);
  });

  it('merge keys nested to blow up are capped too', () => {
    let anchors = '    m0: &m0 {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1}\n';
    for (let i = 1; i <= 8; i++) anchors += `    m${i}: &m${i} {<<: [${Array(9).fill(`*m${i - 1}`).join(', ')}]}\n`;
    const t0 = performance.now();
    const r = load({ 'wren.yaml': `parsers:
  - name: p
    format: json
${anchors}pipeline:
  inputs:
    - name: dummy
      <<: *m8
  outputs:
    - name: stdout
      match: '*'
` });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(lines(r).some((l) => /merge keys \(<<\) expand too much/.test(l))).toBe(true);
  });
});

describe('YAML includes', () => {
  it('a diamond (two files include the same third) is read once; a real cycle is named', () => {
    const ok = load({
      'wren.yaml': 'includes:\n  - left.yaml\n  - right.yaml\npipeline:\n  inputs:\n    - name: dummy\n',
      'left.yaml': 'includes:\n  - shared.yaml\n',
      'right.yaml': 'includes:\n  - shared.yaml\n',
      'shared.yaml': "pipeline:\n  outputs:\n    - name: stdout\n      match: '*'\n",
    });
    expect(lines(ok)).toEqual([]);
    expect(ok.config!.outputs).toHaveLength(1);
    const cycle = load({
      'wren.yaml': "includes:\n  - a.yaml\npipeline:\n  inputs:\n    - name: dummy\n  outputs:\n    - name: stdout\n      match: '*'\n",
      'a.yaml': 'includes:\n  - b.yaml\n',
      'b.yaml': 'includes:\n  - a.yaml\n',
    });
    expect(lines(cycle)).toEqual([expect.stringMatching(/b\.yaml:2:5: include cycle: a\.yaml → b\.yaml → a\.yaml/)]);
  });
});
