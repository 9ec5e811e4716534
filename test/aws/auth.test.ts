import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsAuth, type AwsAuthDeps } from '../../src/aws/auth.js';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { send } from '../../src/net/request.js';
import { startContainerFake, type ContainerFake } from '../helpers/container-fake.js';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from '../helpers/recording-server.js';
import { verifySigV4 } from '../helpers/sigv4-verify.js';
import { startStsFake, type StsFake } from '../helpers/sts-fake.js';
import { captureLogger, KEYS, opts } from './helpers.js';

let ctr: ContainerFake;
let sts: StsFake;
let search: RecordingServer;
const revoked = new Set<string>();
const dispatcher = createDestinationDispatcher({ env: {} });

/** A destination that accepts only signatures (checked by aws4) by keys it knows and has not revoked. */
function secretOf(akid: string): { secret: string; token?: string } | undefined {
  if (akid === KEYS.accessKeyId) return { secret: KEYS.secretAccessKey };
  const c = ctr.issued.find((x) => x.accessKeyId === akid);
  if (c) return { secret: c.secretAccessKey, token: c.token };
  const s = sts.issued.get(akid);
  return s ? { secret: s.secretAccessKey, token: s.sessionToken } : undefined;
}

beforeAll(async () => {
  ctr = await startContainerFake({ token: () => 'tok' });
  sts = await startStsFake({ secrets: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
  search = await startRecordingServer((req: ReceivedRequest, res: ServerResponse) => {
    const akid = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const known = secretOf(akid);
    if (!known || revoked.has(akid)) return void res.writeHead(403).end('{"message":"The security token included in the request is expired"}');
    const v = verifySigV4(req, { secretAccessKey: known.secret, sessionToken: known.token, region: 'us-east-1' });
    res.writeHead(v.ok ? 200 : 403).end(v.ok ? '{"errors":false,"items":[]}' : JSON.stringify({ message: v.reason }));
  });
});
afterAll(async () => {
  await Promise.all([ctr.close(), sts.close(), search.close(), dispatcher.close()]);
});

const containerEnv = () => ({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ctr.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok' });
const deps = (env: NodeJS.ProcessEnv, service = 'es'): AwsAuthDeps => ({ service, style: 'aws', env, log: captureLogger().log });
const bulk = (body: Uint8Array | string, headers: Record<string, string> = {}) =>
  ({ method: 'POST', url: new URL(`${search.url}/logs/_bulk`), headers: { 'content-type': 'application/x-ndjson', ...headers }, body });

describe('createAwsAuth', () => {
  it('signs requests a SigV4 server (aws4) accepts, gzip bodies as sent, with the session token', async () => {
    const auth = createAwsAuth(opts({ aws_region: 'us-east-1' }), deps(containerEnv()));
    expect(auth).toMatchObject({ region: 'us-east-1', service: 'es' });
    const body = gzipSync('{"create":{}}\n{"log":"x"}\n');
    const res = await send(await auth.sign(bulk(body, { 'content-encoding': 'gzip' })), dispatcher);
    expect(res.status).toBe(200);
    expect(search.received.at(-1)!.headers['x-amz-security-token']).toBe(ctr.issued.at(-1)!.token);
    expect(Buffer.compare(search.received.at(-1)!.body, body)).toBe(0);
  });

  it('aoss gets x-amz-content-sha256; es does not', async () => {
    const env = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
    const aoss = createAwsAuth(opts({ aws_region: 'us-east-1' }), deps(env, 'aoss'));
    const signed = await aoss.sign(bulk('{"index":{}}\n{}\n'));
    expect(signed.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect((await send(signed, dispatcher)).status).toBe(200);
    const es = createAwsAuth(opts({ aws_region: 'us-east-1' }), deps(env));
    expect((await es.sign(bulk('x'))).headers['x-amz-content-sha256']).toBeUndefined();
  });

  it('after a 403 for an expired token: refresh() gets new credentials and the re-signed request passes', async () => {
    const auth = createAwsAuth(opts({ aws_region: 'us-east-1' }), deps(containerEnv()));
    const req = bulk('{"create":{}}\n{"a":1}\n');
    const first = await auth.sign(req);
    expect((await send(first, dispatcher)).status).toBe(200);
    const oldKey = (await auth.credentials()).accessKeyId;
    revoked.add(oldKey);
    expect((await send(await auth.sign(req), dispatcher)).status).toBe(403);
    await auth.refresh();
    const again = await auth.sign(req);
    expect((await auth.credentials()).accessKeyId).not.toBe(oldKey);
    expect((await send(again, dispatcher)).status).toBe(200);
  });

  it('outputs configured the same way share one cache; a different configuration gets its own', async () => {
    const env = containerEnv();
    const before = ctr.received.length;
    const a = createAwsAuth(opts({ aws_region: 'us-east-1' }), deps(env));
    const b = createAwsAuth(opts({ aws_region: 'us-east-1' }), deps(env, 'aoss'));
    await Promise.all([a.credentials(), b.credentials(), a.sign(bulk('1')), b.sign(bulk('2'))]);
    expect(ctr.received.length - before).toBe(1);
    const c = createAwsAuth(opts({ aws_region: 'us-east-2' }), deps(env));
    await c.credentials();
    expect(ctr.received.length - before).toBe(2);
  });

  it("outputs passing their own dispatchers still share one cache, which never uses (or closes with) theirs", async () => {
    const env = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
    const o = { aws_region: 'us-east-1', aws_role_arn: 'arn:aws:iam::1:role/shared', aws_sts_endpoint: sts.url };
    const d1 = createDestinationDispatcher({ env });
    const d2 = createDestinationDispatcher({ env });
    const a = createAwsAuth(opts(o), { ...deps(env), destination: d1 });
    const b = createAwsAuth(opts(o), { ...deps(env), destination: d2 });
    await d1.close(); // the first output stopped
    const before = sts.calls.length;
    const [ca, cb] = await Promise.all([a.credentials(), b.credentials()]);
    expect(ca).toBe(cb);
    expect(sts.calls.length - before).toBe(1);
    await d2.close();
  });

  it('aws_role_arn on top of the chain: AssumeRole signed with what the chain found', async () => {
    const env = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
    const auth = createAwsAuth(opts({
      aws_region: 'us-east-1', aws_role_arn: 'arn:aws:iam::123456789012:role/shipper', aws_external_id: 'ext-1',
      aws_role_session_name: 'wren-node-1', aws_role_duration: 2 * 3_600_000, aws_sts_endpoint: sts.url,
    }), deps(env));
    const res = await send(await auth.sign(bulk('{}\n')), dispatcher);
    expect(res.status).toBe(200);
    expect(sts.calls.at(-1)).toMatchObject({
      action: 'AssumeRole', signedBy: KEYS.accessKeyId,
      params: { RoleArn: 'arn:aws:iam::123456789012:role/shipper', ExternalId: 'ext-1', RoleSessionName: 'wren-node-1', DurationSeconds: '7200' },
    });
    const walk = await auth.walk();
    expect(walk.resolution?.provider).toBe('env+assume_role');
    expect(walk.steps.map((s) => [s.provider, s.outcome])).toEqual([['env', 'answered'], ['assume_role', 'answered']]);
  });

  it('cloudwatch style reads role_arn / external_id / sts_endpoint / region', async () => {
    const env = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
    const auth = createAwsAuth(opts({ region: 'us-east-1', role_arn: 'arn:aws:iam::1:role/cw', external_id: 'e', sts_endpoint: sts.url }),
      { ...deps(env, 'logs'), style: 'cloudwatch' });
    await auth.credentials();
    expect(sts.calls.at(-1)).toMatchObject({ params: { RoleArn: 'arn:aws:iam::1:role/cw', ExternalId: 'e' } });
  });

  it('a failing AssumeRole is reported with the steps before it', async () => {
    const env = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: 'wrong-secret' };
    const auth = createAwsAuth(opts({ aws_region: 'us-east-1', aws_role_arn: 'arn:aws:iam::1:role/x', aws_sts_endpoint: sts.url }), deps(env));
    const walk = await auth.walk();
    expect(walk.steps.map((s) => s.outcome)).toEqual(['answered', 'failed']);
    expect(walk.error).toMatch(/assuming arn:aws:iam::1:role\/x with credentials from env failed: .*SignatureDoesNotMatch/);
  });
});
