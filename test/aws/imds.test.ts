import { afterEach, describe, expect, it } from 'vitest';
import { createMetadataDispatcher } from '../../src/net/dispatchers.js';
import { fromImds, imdsEndpoint, IMDS_V4, IMDS_V6, type ImdsProviderOptions } from '../../src/aws/credentials/imds.js';
import { detectEc2 } from '../../src/aws/credentials/ec2-detect.js';
import { startImdsFake, type ImdsFake, type ImdsFakeOptions } from '../helpers/imds-fake.js';
import { captureLogger, failLine, EC2_SYSFS, fakeSysfs, NOT_EC2_SYSFS, tempDir } from './helpers.js';

const fakes: ImdsFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function fake(o: ImdsFakeOptions): Promise<ImdsFake> {
  const f = await startImdsFake(o);
  fakes.push(f);
  return f;
}

function provider(f: { url: string }, extra: Partial<ImdsProviderOptions> = {}) {
  const cap = captureLogger();
  const p = fromImds({
    mode: 'on', env: {}, endpoint: f.url, sysfsRoot: '/nonexistent', timeoutMs: 1000, v1Fallback: true,
    dispatcher: createMetadataDispatcher({}), log: cap.log, ...extra,
  });
  return { p, cap };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

describe('IMDS provider against a loopback IMDS', () => {
  it('healthy IMDSv2: token, role, credentials; the token is reused', async () => {
    const f = await fake({ behaviour: 'v2' });
    const { p } = provider(f);
    const { value: c, ms } = await timed(p);
    expect(c).toMatchObject({ accessKeyId: f.issued[0]!.accessKeyId, secretAccessKey: f.issued[0]!.secretAccessKey, sessionToken: f.issued[0]!.token });
    expect(c.expiration?.toISOString().replace('.000', '')).toBe(f.issued[0]!.expiration);
    expect(ms).toBeLessThan(150);
    await p();
    // a PUT slower than 20 ms (a loaded CI machine) adds the hop-limit probe, a bare GET of
    // /latest/meta-data/: it is allowed, and it is not part of the token/role/credentials sequence
    const probe = 'GET /latest/meta-data/';
    const seen = f.received.map((r) => `${r.method} ${r.path}`);
    expect(seen.filter((l) => l === probe).length).toBeLessThanOrEqual(1);
    expect(seen.filter((l) => l !== probe)).toEqual([
      'PUT /latest/api/token',
      'GET /latest/meta-data/iam/security-credentials/',
      'GET /latest/meta-data/iam/security-credentials/wren-node-role',
      'GET /latest/meta-data/iam/security-credentials/',
      'GET /latest/meta-data/iam/security-credentials/wren-node-role',
    ]);
    expect(f.received.filter((r) => r.method === 'GET' && r.path !== '/latest/meta-data/').every((r) => String(r.headers['x-aws-ec2-metadata-token']).startsWith('imds-token-'))).toBe(true);
    expect(p.describe?.()).toMatch(/wren-node-role.*IMDSv2/);
  });

  it('hop limit: concludes fast, falls back to IMDSv1, remembers it, and logs the fix once', async () => {
    const f = await fake({ behaviour: 'hop-limit' });
    const { p, cap } = provider(f);
    const first = await timed(p);
    expect(first.ms).toBeLessThan(300);
    expect(first.value.accessKeyId).toBe(f.issued[0]!.accessKeyId);
    const second = await timed(p);
    expect(second.ms).toBeLessThan(100);
    expect(second.value.accessKeyId).toBe(f.issued[1]!.accessKeyId);
    expect(f.received.filter((r) => r.method === 'PUT')).toHaveLength(1);
    const warnings = cap.lines().filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.msg)).toMatch(/HttpPutResponseHopLimit to 2.*IRSA \/ EKS Pod Identity/);
    expect(p.describe?.()).toMatch(/IMDSv1.*hop limit/);
  });

  it('hop limit with aws_imds_v1_fallback off (or AWS_EC2_METADATA_V1_DISABLED) fails fast naming the fix', async () => {
    const f = await fake({ behaviour: 'hop-limit' });
    for (const extra of [{ v1Fallback: false }, { env: { AWS_EC2_METADATA_V1_DISABLED: 'true' } }]) {
      const { p } = provider(f, extra);
      const t0 = performance.now();
      expect(await failLine(p())).toMatch(/hop limit.*fallback is off.*HttpPutResponseHopLimit to 2/);
      expect(performance.now() - t0).toBeLessThan(300);
    }
    expect(f.received.some((r) => r.path.includes('security-credentials'))).toBe(false);
  });

  it('hop limit on an instance that requires tokens: says both halves and the fix', async () => {
    const f = await fake({ behaviour: 'hop-limit', tokensRequired: true });
    const { p } = provider(f);
    expect(await failLine(p())).toMatch(/refused IMDSv1.*hop limit.*HttpPutResponseHopLimit to 2/);
    // IMDSv1 was no way out, so the next attempt tries the token again (and succeeds once it answers).
    f.setBehaviour('v2-only');
    await expect(p()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIAIMDS/) });
    expect(f.received.filter((r) => r.method === 'PUT')).toHaveLength(2);
  });

  it('an IMDS that accepts connections but never answers fails within the 1 s timeout', async () => {
    const f = await fake({ behaviour: 'hang' });
    const { p } = provider(f);
    const t0 = performance.now();
    await expect(p()).rejects.toThrow(/did not answer within 1000 ms/);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(1200);
    expect(f.connections).toBeGreaterThan(0);
  });

  it('nothing listening: fails at once', async () => {
    const f = await fake({ behaviour: 'v2' });
    const url = f.url;
    await f.close();
    const { p } = provider({ url });
    const t0 = performance.now();
    await expect(p()).rejects.toThrow(/unreachable.*ECONNREFUSED/);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('a token PUT that is only slow: IMDSv1 for this call, IMDSv2 again from the next, both logged', async () => {
    const f = await fake({ behaviour: 'v2', putDelayMs: 300 });
    const { p, cap } = provider(f);
    expect((await p()).accessKeyId).toBe(f.issued[0]!.accessKeyId);
    const get = () => f.received.filter((r) => r.method === 'GET' && r.path.includes('security-credentials'));
    expect(get().every((r) => r.headers['x-aws-ec2-metadata-token'] === undefined)).toBe(true);
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = () => cap.lines().some((l) => /slow, not cut off/.test(String(l.msg))) ? resolve() : Date.now() - t0 > 3000 ? reject(new Error('no late answer logged')) : setTimeout(poll, 10);
      poll();
    });
    const n = get().length;
    await p();
    expect(get().slice(n).every((r) => String(r.headers['x-aws-ec2-metadata-token']).startsWith('imds-token-'))).toBe(true);
    expect(f.received.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(p.describe?.()).toMatch(/IMDSv2/);
    const warnings = cap.lines().filter((l) => l.level === 'warn').map((l) => String(l.msg));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/HttpPutResponseHopLimit/);
  });

  it('IMDSv1-only: falls back without a token, and says so once', async () => {
    const f = await fake({ behaviour: 'v1-only' });
    const { p, cap } = provider(f);
    expect((await p()).accessKeyId).toBe(f.issued[0]!.accessKeyId);
    await p();
    const warnings = cap.lines().filter((l) => l.level === 'warn').map((l) => String(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/refused the IMDSv2 token request \(HTTP 404\): using IMDSv1/);
    expect(f.received.filter((r) => r.method === 'GET' && r.path !== '/latest/meta-data/').every((r) => r.headers['x-aws-ec2-metadata-token'] === undefined)).toBe(true);
    const { p: strict } = provider(f, { v1Fallback: false });
    await expect(strict()).rejects.toThrow(/refused the IMDSv2 token request \(HTTP 404\)/);
  });

  it('IMDSv2-only (HttpTokens=required): works with the token', async () => {
    const f = await fake({ behaviour: 'v2-only' });
    const { p } = provider(f);
    expect((await p()).accessKeyId).toBe(f.issued[0]!.accessKeyId);
  });

  it('an instance without a role says so', async () => {
    const f = await fake({ behaviour: 'v2', noRole: true });
    const { p } = provider(f);
    await expect(p()).rejects.toThrow(/no IAM role/);
  });
});

describe('IMDS switch', () => {
  it('off, AWS_EC2_METADATA_DISABLED and auto on a non-EC2 host never contact IMDS', async () => {
    const f = await fake({ behaviour: 'v2' });
    const cases: Partial<ImdsProviderOptions>[] = [
      { mode: 'off' },
      { mode: 'on', env: { AWS_EC2_METADATA_DISABLED: 'true' } },
      { mode: 'auto', sysfsRoot: fakeSysfs(NOT_EC2_SYSFS) },
    ];
    for (const c of cases) {
      const { p } = provider(f, c);
      const t0 = performance.now();
      await expect(p()).rejects.toMatchObject({ name: 'NotConfigured' });
      expect(performance.now() - t0).toBeLessThan(150); // no network wait (its timeout is 1 s); room for a loaded CI machine
    }
    expect(f.received).toEqual([]);
    expect(f.connections).toBe(0);
  });

  it('auto tries IMDS on EC2 (DMI or hypervisor uuid) and when it cannot tell', async () => {
    const f = await fake({ behaviour: 'v2' });
    for (const root of [fakeSysfs(EC2_SYSFS), fakeSysfs({ sys_vendor: 'Xen', product_name: 'HVM domU' }, 'ec2e1916-9099-7caf-fd21-012345abcdef'), tempDir()]) {
      const { p } = provider(f, { mode: 'auto', sysfsRoot: root });
      await expect(p()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIAIMDS/) });
    }
  });

  it('detectEc2 explains its verdict', async () => {
    expect(await detectEc2(fakeSysfs(NOT_EC2_SYSFS))).toEqual({ verdict: 'not-ec2', evidence: expect.stringContaining('sys_vendor="QEMU"') });
    expect((await detectEc2(fakeSysfs({ sys_vendor: 'Xen', bios_version: '4.11.amazon' }))).verdict).toBe('ec2');
    expect((await detectEc2('/nonexistent-sysfs')).verdict).toBe('unknown');
  });

  it('endpoint: option, then AWS_EC2_METADATA_SERVICE_ENDPOINT, then the mode', () => {
    expect(imdsEndpoint('http://127.0.0.1:1/', { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://x' })).toBe('http://127.0.0.1:1');
    expect(imdsEndpoint(undefined, { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://[::1]:8080/' })).toBe('http://[::1]:8080');
    expect(imdsEndpoint(undefined, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6' })).toBe(IMDS_V6);
    expect(imdsEndpoint(undefined, {})).toBe(IMDS_V4);
  });
});
