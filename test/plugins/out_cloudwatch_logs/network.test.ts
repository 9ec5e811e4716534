import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingResponse } from '../../../src/net/request.js';
import { isCredentialRefusal } from '../../../src/sink/send.js';
import { makeTestCerts, type TestCerts } from '../../helpers/tls-certs.js';
import { PROXY_KINDS, startProxy, type TestProxy } from '../../helpers/test-proxy.js';
import { chunkOf, closeAll, deliver, makeOutput, numbered, startFake } from './harness.js';

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterEach(closeAll);

const base: Array<[string, string]> = [['log_group_name', 'g'], ['log_stream_name', 's'], ['auto_create_group', 'on']];

describe.each(PROXY_KINDS)('cloudwatch_logs output through a real proxy (%s)', (kind) => {
  let proxy: TestProxy;
  beforeAll(async () => { proxy = await startProxy(kind); });
  afterAll(async () => { await proxy?.stop(); });

  it('HTTPS through the output\'s proxy (CONNECT), trusting tls.ca_file', async () => {
    const fake = await startFake({ tls: certs });
    const { out } = makeOutput([['endpoint', fake.url], ['proxy', proxy.url], ['tls.ca_file', certs.caFile], ...base]);
    expect((await deliver(out, numbered(3))).results.at(-1)).toEqual({ status: 'ok' });
    expect(fake.events('g', 's')).toHaveLength(3);
    expect(proxy.requests()).toContainEqual({ method: 'CONNECT', target: fake.server.hostPort });
    expect(fake.signatureFailures).toEqual([]);
  });
});

describe('cloudwatch_logs output over the network', () => {

  it('an unknown CA is a retry naming the TLS failure, unless tls.verify is off', async () => {
    const fake = await startFake({ tls: certs });
    const { out: strict } = makeOutput([['endpoint', fake.url], ...base]);
    const r = await strict.flush(chunkOf(numbered(1)));
    expect(r).toMatchObject({ status: 'retry', reason: expect.stringMatching(/certificate|self.signed|issuer/i) });
    const { out: lax } = makeOutput([['endpoint', fake.url], ['tls.verify', 'off'], ...base]);
    expect((await deliver(lax, numbered(1))).results.at(-1)).toEqual({ status: 'ok' });
  });

  it('the shared sink path takes CloudWatch credential refusals for a reason to refresh', () => {
    const res = (status: number, body: unknown, type?: string): IncomingResponse =>
      ({ status, headers: type ? { 'x-amzn-errortype': type } : {}, body: Buffer.from(body === undefined ? '' : JSON.stringify(body)) });
    expect(isCredentialRefusal(res(400, { __type: 'com.amazonaws.logs#ExpiredTokenException', message: 'The security token included in the request is expired' }))).toBe(true);
    expect(isCredentialRefusal(res(400, undefined, 'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/'))).toBe(true);
    expect(isCredentialRefusal(res(400, { __type: 'InvalidSignatureException', message: 'Signature expired: 20250101T000000Z is now earlier than …' }))).toBe(true);
    expect(isCredentialRefusal(res(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }))).toBe(false);
    expect(isCredentialRefusal(res(400, { __type: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' }))).toBe(false);
  });
});
