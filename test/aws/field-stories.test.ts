import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsAuth } from '../../src/aws/auth.js';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { send } from '../../src/net/request.js';
import { startImdsFake, type ImdsFake } from '../helpers/imds-fake.js';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from '../helpers/recording-server.js';
import { verifySigV4 } from '../helpers/sigv4-verify.js';
import { PROXY_KINDS, startProxy, type TestProxy } from '../helpers/test-proxy.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';
import { captureLogger, EC2_SYSFS, fakeSysfs, KEYS, NOT_EC2_SYSFS, opts, tempDir, writeFile } from './helpers.js';

// The two field problems of DESIGN.md, end to end: a real proxy (npm `proxy`; tinyproxy too in
// .ci/run's extra layer), real TLS, loopback IMDS, and a
// destination that checks every signature with aws4.

let certs: TestCerts;
let search: RecordingServer;
const secrets = new Map<string, { secret: string; token?: string }>([[KEYS.accessKeyId, { secret: KEYS.secretAccessKey }]]);
const verdicts: string[] = [];

beforeAll(async () => {
  certs = makeTestCerts();
  search = await startRecordingServer((req: ReceivedRequest, res: ServerResponse) => {
    const akid = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const known = secrets.get(akid);
    const v = known ? verifySigV4(req, { secretAccessKey: known.secret, sessionToken: known.token, region: 'eu-west-1', service: 'es' }) : { ok: false as const, reason: `unknown key ${akid}` };
    verdicts.push(v.ok ? 'ok' : v.reason);
    res.writeHead(v.ok ? 200 : 403, { 'content-type': 'application/json' }).end(v.ok ? '{"took":1,"errors":false,"items":[{"create":{"status":201}}]}' : JSON.stringify({ message: v.reason }));
  }, certs);
});
afterAll(async () => {
  await search?.close();
});

const bulkBody = '{"create":{"_index":"logs"}}\n{"log":"hello from behind a proxy"}\n';

describe.each(PROXY_KINDS)('field story 1: HTTP(S)_PROXY set (%s), keys only in ~/.aws/config', (kind) => {
  let imds: ImdsFake;
  let proxy: TestProxy;
  beforeAll(async () => { [imds, proxy] = await Promise.all([startImdsFake({ behaviour: 'v2' }), startProxy(kind)]); });
  afterAll(async () => { await Promise.all([imds?.close(), proxy?.stop()]); });

  function env(): NodeJS.ProcessEnv {
    const home = tempDir('wren-story1-');
    writeFile(join(home, '.aws', 'config'), `[default]\nregion = eu-west-1\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    return { HOME: home, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, http_proxy: proxy.url, https_proxy: proxy.url };
  }

  it('credentials come from the file, IMDS receives nothing, signed requests go through the proxy', async () => {
    const e = env();
    const o = opts({ aws_auth: true, aws_imds: 'on', aws_imds_endpoint: imds.url, 'tls.ca_file': certs.caFile });
    const auth = createAwsAuth(o, { service: 'es', style: 'aws', env: e, log: captureLogger().log });
    expect(auth.region).toBe('eu-west-1'); // from the profile too
    const t0 = performance.now();
    const creds = await auth.credentials();
    expect(performance.now() - t0).toBeLessThan(250); // no IMDS round trip or timeout; room for a loaded CI machine
    expect(creds.accessKeyId).toBe(KEYS.accessKeyId);

    const dest = createDestinationDispatcher({ env: e, tls: { caFile: certs.caFile } });
    const url = new URL(`https://localhost:${search.port}/logs/_bulk`);
    const res = await send(await auth.sign({ method: 'POST', url, headers: { 'content-type': 'application/x-ndjson' }, body: bulkBody }), dest);
    expect(res.status).toBe(200);
    expect(verdicts.at(-1)).toBe('ok');
    expect(search.received.at(-1)!.body.toString()).toBe(bulkBody);
    expect(proxy.requests()).toContainEqual({ method: 'CONNECT', target: `localhost:${search.port}` });
    expect(imds.received).toEqual([]);
    expect(imds.connections).toBe(0);
    expect(proxy.log()).not.toContain(`:${imds.port}`);
    await dest.close();
  });

  it('even with IMDS first in the chain and failing, the file answers and metadata never touches the proxy', async () => {
    const dead = await startImdsFake({ behaviour: 'hang' });
    const cap = captureLogger();
    const o = opts({ aws_credential_chain: ['imds', 'profile'], aws_imds: 'on', aws_imds_endpoint: dead.url, aws_imds_timeout: 200 });
    const auth = createAwsAuth(o, { service: 'es', style: 'aws', env: env(), log: cap.log });
    const walk = await auth.walk();
    expect(walk.steps.map((s) => [s.provider, s.outcome])).toEqual([['imds', 'failed'], ['profile', 'answered']]);
    expect(walk.resolution?.credentials.accessKeyId).toBe(KEYS.accessKeyId);
    expect(dead.received.length).toBeGreaterThan(0); // it was asked directly…
    expect(proxy.log()).not.toContain(`:${dead.port}`); // …never through the proxy
    await dead.close();
  });

  it('aws_metadata_proxy, when set, is the only proxy metadata traffic takes', async () => {
    const o = opts({ aws_region: 'eu-west-1', aws_credential_chain: ['imds'], aws_imds: 'on', aws_imds_endpoint: imds.url, aws_metadata_proxy: proxy.url });
    const walk = await createAwsAuth(o, { service: 'es', style: 'aws', env: { HOME: tempDir() }, log: captureLogger().log }).walk();
    expect(walk.resolution?.provider).toBe('imds');
    expect(proxy.requests()).toContainEqual({ method: 'PUT', target: `${imds.url}/latest/api/token` });
    imds.received.length = 0;
  });

  it('aws_imds: auto on a host that is not EC2 skips IMDS at once', async () => {
    const o = opts({ aws_credential_chain: ['imds', 'profile'], aws_imds_endpoint: imds.url, aws_sysfs_root: fakeSysfs(NOT_EC2_SYSFS) });
    const walk = await createAwsAuth(o, { service: 'es', style: 'aws', env: env(), log: captureLogger().log }).walk();
    expect(walk.steps[0]).toMatchObject({ provider: 'imds', outcome: 'not configured', message: expect.stringMatching(/not an EC2 host.*QEMU/) });
    // no network wait (IMDS timeouts are 1 s); the bound leaves room for a loaded CI machine
    expect(walk.steps[0]!.ms).toBeLessThan(100);
    expect(imds.received).toEqual([]);
  });
});

describe('field story 2: IMDSv2 behind a container bridge (hop limit 1)', () => {
  it('credentials in under 300 ms, the log names the fix, signed requests are accepted, refreshes stay fast', async () => {
    const imds = await startImdsFake({ behaviour: 'hop-limit' });
    const cap = captureLogger();
    const env = { HOME: tempDir('wren-story2-') };
    const o = opts({ aws_region: 'eu-west-1', aws_auth: true, aws_imds_endpoint: imds.url, aws_sysfs_root: fakeSysfs(EC2_SYSFS) });
    const auth = createAwsAuth(o, { service: 'es', style: 'aws', env, log: cap.log });

    const t0 = performance.now();
    const creds = await auth.credentials();
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(300);
    expect(creds.accessKeyId).toBe(imds.issued[0]!.accessKeyId);

    const warn = cap.lines().filter((l) => l.level === 'warn');
    expect(warn).toHaveLength(1);
    expect(String(warn[0]!.msg)).toMatch(/HttpPutResponseHopLimit is 1.*IMDSv1.*raise the instance's HttpPutResponseHopLimit to 2.*IRSA \/ EKS Pod Identity/);

    for (const c of imds.issued) secrets.set(c.accessKeyId, { secret: c.secretAccessKey, token: c.token });
    const dest = createDestinationDispatcher({ env, tls: { caFile: certs.caFile } });
    const url = new URL(`https://localhost:${search.port}/logs/_bulk`);
    const res = await send(await auth.sign({ method: 'POST', url, headers: {}, body: bulkBody }), dest);
    expect(res.status).toBe(200);
    expect(search.received.at(-1)!.headers['x-amz-security-token']).toBe(imds.issued[0]!.token);

    const t1 = performance.now();
    await auth.refresh();
    expect(performance.now() - t1).toBeLessThan(100);
    expect((await auth.credentials()).accessKeyId).toBe(imds.issued[1]!.accessKeyId);
    expect(imds.received.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(cap.lines().filter((l) => l.level === 'warn')).toHaveLength(1);
    await Promise.all([dest.close(), imds.close()]);
  });
});
