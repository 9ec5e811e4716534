import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLUGINS } from '../../plugins/index.js';
import { runWren, writeConfig } from '../helpers/cli.js';
import { startImdsFake, type ImdsFake } from '../helpers/imds-fake.js';
import { PROXY_KINDS, startProxy, type TestProxy } from '../helpers/test-proxy.js';
import { EC2_SYSFS, fakeSysfs, KEYS, tempDir, writeFile } from './helpers.js';

// `wren credentials` driven as a process, the way a user runs it. It needs an output that signs
// with AWS; until the http output declares the AWS options (aws_auth …) this suite is skipped.
const httpTakesAws = PLUGINS.some((p) => p.name === 'http' && p.options.some((o) => o.key === 'aws_auth'));

describe.skipIf(!httpTakesAws)('wren credentials (CLI)', () => {
  let proxies: TestProxy[];
  let imds: ImdsFake;
  beforeAll(async () => {
    [imds, ...proxies] = await Promise.all([startImdsFake({ behaviour: 'hop-limit' }), ...PROXY_KINDS.map((k) => startProxy(k))]);
  });
  afterAll(async () => {
    await Promise.all([...(proxies ?? []).map((p) => p.stop()), imds?.close()]);
  });

  const config = (extra: string) => writeConfig(`pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: stdout
      match: '*'
    - name: http
      alias: search
      match: '*'
      host: 127.0.0.1
      port: 9
      aws_auth: on
      aws_service: es
${extra}`);

  it.each(PROXY_KINDS.map((k, i) => [k, i] as const))('behind HTTP(S)_PROXY (%s) with keys only in ~/.aws/config: walks to the profile, IMDS untouched, exit 0', async (_kind, i) => {
    const proxy = proxies[i]!;
    const home = tempDir();
    const cfg = writeFile(join(home, '.aws', 'config'), `[default]\nregion = eu-west-1\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    const file = config(`      aws_imds: on\n      aws_imds_endpoint: ${imds.url}\n`);
    const env = { HOME: home, AWS_CONFIG_FILE: cfg, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, AWS_EC2_METADATA_DISABLED: 'false' };
    const r = await runWren(['credentials', '-c', file], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Credential chain of output search \(region eu-west-1 from profile "default", service es\):/);
    expect(r.stdout).toMatch(/profile\s+answered\s+[\d.]+ ms {2}profile "default" in .*config \(static keys\)/);
    expect(r.stdout).toMatch(/Credentials from profile: access key AKIA\*{12}MPLE, expires never/);
    expect(r.stdout + r.stderr).not.toContain(KEYS.secretAccessKey);
    expect(imds.received).toEqual([]);
    expect(proxy.requests()).toEqual([]);
  });

  it('--json on the hop-limit IMDS: one JSON object, the imds step names the fix', async () => {
    const file = config(`      aws_region: us-east-1\n      aws_imds_endpoint: ${imds.url}\n      aws_sysfs_root: ${fakeSysfs(EC2_SYSFS)}\n`);
    const r = await runWren(['credentials', '-c', file, '--output', 'search', '--json'], { env: { HOME: tempDir(), AWS_EC2_METADATA_DISABLED: 'false' } });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { provider: string; accessKeyId: string; expiration: string; steps: { provider: string; outcome: string; ms: number; message: string }[] };
    expect(j.provider).toBe('imds');
    expect(j.accessKeyId).toMatch(/^ASIA\*+\d{4}$/);
    expect(Date.parse(j.expiration)).toBeGreaterThan(Date.now());
    const step = j.steps.at(-1)!;
    expect(step).toMatchObject({ provider: 'imds', outcome: 'answered', message: expect.stringMatching(/hop limit.*HttpPutResponseHopLimit to 2/) });
    expect(step.ms).toBeLessThan(300);
  });

  it('shows what ~/.aws/config skipped as warning steps with FILE:LINE, and the profile still answers', async () => {
    const home = tempDir();
    const cfg = writeFile(join(home, '.aws', 'config'), `[default]\nregion = eu-west-1\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\nno equals sign here\n[profile broken\nregion = x\n`);
    const file = config('      aws_imds: off\n');
    const r = await runWren(['credentials', '-c', file], { env: { HOME: home, AWS_CONFIG_FILE: cfg } });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const warn = lines.filter((l) => /^\s+profile\s+warning\s/.test(l));
    expect(warn).toHaveLength(2);
    expect(warn[0]).toContain(`${cfg}:5: a line without '=' in [default]: skipped`);
    expect(warn[1]).toContain(`${cfg}:6: a section header without its closing ']': this section and its properties are skipped`);
    expect(lines.findIndex((l) => /profile\s+answered/.test(l))).toBeGreaterThan(lines.indexOf(warn[1]!));
    expect(r.stderr).not.toContain('skipped'); // shown once, as steps
    const json = await runWren(['credentials', '-c', file, '--json'], { env: { HOME: home, AWS_CONFIG_FILE: cfg } });
    const steps = (JSON.parse(json.stdout) as { steps: { provider: string; outcome: string; message: string }[] }).steps;
    expect(steps.filter((s) => s.outcome === 'warning').map((s) => s.message)).toEqual([
      `${cfg}:5: a line without '=' in [default]: skipped`,
      `${cfg}:6: a section header without its closing ']': this section and its properties are skipped`,
    ]);
  });

  it('exit 1 with every step when nothing answers', async () => {
    const file = config('      aws_region: us-east-1\n      aws_imds: off\n');
    const r = await runWren(['credentials', '-c', file], { env: { HOME: tempDir() } });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => /not configured/.test(l))).toHaveLength(5);
    expect(r.stderr).toMatch(/no AWS credentials for output search/);
  });
});
