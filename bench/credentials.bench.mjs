// Credential resolution time per provider, against loopback fakes (never a real AWS address).
// Each sample is a cold resolution: a fresh environment object, so a fresh cache and provider.
// Targets (issue 4): hop-limit IMDS < 300 ms to credentials (aws-sdk-js v2: 4.3 s, v3: 1.0 s and
// again on every refresh); IMDS that accepts but never answers fails the chain < 1 s (v3 2.0 s,
// v2 8.8 s); healthy IMDS < 20 ms; env or profile < 5 ms.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createAwsAuth } from '../dist/src/aws/auth.js';
import { PluginOptions } from '../dist/src/config/types.js';
import { createLogger } from '../dist/src/log.js';

const KEYS = { id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const log = createLogger('warn', new Writable({ write(_c, _e, cb) { cb(); } }));
const opts = (o) => new PluginOptions(new Map(Object.entries({ aws_region: 'us-east-1', ...o })), new Map());
const tmp = mkdtempSync(join(tmpdir(), 'wren-bench-cred-'));
const nonEc2 = join(tmp, 'sys');
mkdirSync(join(nonEc2, 'class', 'dmi', 'id'), { recursive: true });
writeFileSync(join(nonEc2, 'class', 'dmi', 'id', 'sys_vendor'), 'QEMU\n');
const ec2 = join(tmp, 'sys-ec2');
mkdirSync(join(ec2, 'class', 'dmi', 'id'), { recursive: true });
writeFileSync(join(ec2, 'class', 'dmi', 'id', 'sys_vendor'), 'Amazon EC2\n');

function listen(handler) {
  const srv = createServer(handler);
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r({ srv, url: `http://127.0.0.1:${srv.address().port}` })));
}
const exp = () => new Date(Date.now() + 6 * 3600_000).toISOString();
const credsJson = (n) => JSON.stringify({ Code: 'Success', AccessKeyId: `ASIABENCH${n}`, SecretAccessKey: 's', Token: 't', Expiration: exp() });

let n = 0;
function imdsHandler(mode) {
  return (req, res) => {
    req.resume();
    if (mode === 'hang') return;
    if (req.method === 'PUT') return mode === 'hop-limit' ? undefined : res.end('token');
    if (req.url === '/latest/meta-data/iam/security-credentials/') return res.end('role');
    if (req.url === '/latest/meta-data/iam/security-credentials/role') return res.end(credsJson(++n));
    return res.end('ok');
  };
}
const container = await listen((req, res) => { req.resume(); res.end(credsJson(++n)); });
const sts = await listen((req, res) => {
  req.resume();
  req.on('end', () => res.end(`<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIASTS${++n}</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>${exp()}</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`));
});
const imds = {};
for (const m of ['v2', 'hop-limit', 'hang']) imds[m] = await listen(imdsHandler(m));

const home = join(tmp, 'home');
mkdirSync(join(home, '.aws'), { recursive: true });
writeFileSync(join(home, '.aws', 'config'), `[default]\nregion = us-east-1\naws_access_key_id = ${KEYS.id}\naws_secret_access_key = ${KEYS.secret}\n`);
const proc = join(tmp, 'proc.sh');
writeFileSync(proc, `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s"}'\n`);
chmodSync(proc, 0o755);
writeFileSync(join(home, '.aws', 'credentials'), `[proc]\ncredential_process = ${proc}\n`);
writeFileSync(join(tmp, 'token'), 'eyJ.bench');

const empty = join(tmp, 'empty-home');
mkdirSync(empty);
const scenarios = [
  { name: 'env', n: 300, env: () => ({ HOME: empty, AWS_ACCESS_KEY_ID: KEYS.id, AWS_SECRET_ACCESS_KEY: KEYS.secret }), o: {} },
  { name: 'profile (static keys in ~/.aws/config)', n: 300, env: () => ({ HOME: home }), o: { aws_imds: 'off' } },
  { name: 'profile credential_process', n: 30, env: () => ({ HOME: home, AWS_PROFILE: 'proc', PATH: process.env.PATH }), o: {} },
  { name: 'web_identity (STS, loopback)', n: 200, env: () => ({ HOME: empty, AWS_WEB_IDENTITY_TOKEN_FILE: join(tmp, 'token'), AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' }), o: { aws_sts_endpoint: sts.url } },
  { name: 'container (Pod Identity)', n: 200, env: () => ({ HOME: empty, AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 't' }), o: {} },
  { name: 'imds healthy v2', n: 200, env: () => ({ HOME: empty }), o: { aws_imds: 'on', aws_imds_endpoint: imds.v2.url } },
  { name: 'imds hop limit (v1 fallback)', n: 15, env: () => ({ HOME: empty }), o: { aws_imds: 'on', aws_imds_endpoint: imds['hop-limit'].url } },
  { name: 'imds auto, host not EC2 (skipped)', n: 200, env: () => ({ HOME: empty }), o: { aws_imds_endpoint: imds.v2.url, aws_sysfs_root: nonEc2, aws_credential_chain: 'imds' }, fails: true },
  { name: 'imds hangs: chain fails', n: 3, env: () => ({ HOME: empty }), o: { aws_imds: 'on', aws_imds_endpoint: imds.hang.url }, fails: true },
];

const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const f = (x) => x.toFixed(2).padStart(8);
console.log(`${'provider'.padEnd(38)}  ${'median ms'.padStart(9)}  ${'p95 ms'.padStart(8)}  ${'max ms'.padStart(8)}  samples`);
const cpu0 = process.cpuUsage();
for (const s of scenarios) {
  const o = opts(typeof s.o.aws_credential_chain === 'string' ? { ...s.o, aws_credential_chain: s.o.aws_credential_chain.split(',') } : s.o);
  const times = [];
  for (let i = 0; i < s.n; i++) {
    const auth = createAwsAuth(o, { service: 'es', style: 'aws', env: s.env(), log });
    const t0 = performance.now();
    let ok = true;
    try { await auth.credentials(); } catch { ok = false; }
    times.push(performance.now() - t0);
    if (ok === Boolean(s.fails)) throw new Error(`${s.name}: unexpected ${ok ? 'success' : 'failure'}`);
  }
  console.log(`${s.name.padEnd(38)}  ${f(pct(times, 0.5)).padStart(9)}  ${f(pct(times, 0.95))}  ${f(Math.max(...times))}  ${s.n}`);
}

// Refresh after the hop limit was learnt: no token PUT, straight to IMDSv1.
{
  const auth = createAwsAuth(opts({ aws_imds: 'on', aws_imds_endpoint: imds['hop-limit'].url }), { service: 'es', style: 'aws', env: { HOME: empty }, log });
  await auth.credentials();
  const times = [];
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 1100)); // past the forced-refresh dedup window
    const t0 = performance.now();
    await auth.refresh();
    times.push(performance.now() - t0);
    if (i === 4) break;
  }
  console.log(`${'imds hop limit, later refresh'.padEnd(38)}  ${f(pct(times, 0.5)).padStart(9)}  ${f(pct(times, 0.95))}  ${f(Math.max(...times))}  ${times.length}`);
}

// The per-request cost once credentials are cached.
{
  const auth = createAwsAuth(opts({}), { service: 'es', style: 'aws', env: { AWS_ACCESS_KEY_ID: KEYS.id, AWS_SECRET_ACCESS_KEY: KEYS.secret }, log });
  await auth.credentials();
  const N = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await auth.credentials();
  const ns = ((performance.now() - t0) * 1e6) / N;
  console.log(`cached credentials(): ${ns.toFixed(0)} ns/call (no chain walk)`);
}
const cpu = process.cpuUsage(cpu0);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
for (const s of [container, sts, ...Object.values(imds)]) { s.srv.closeAllConnections(); s.srv.close(); }
process.exit(0);
