import { connect as netConnect } from 'node:net';
import { createServer as createTlsServer, rootCertificates, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDestinationDispatcher, createMetadataDispatcher } from '../../src/net/dispatchers.js';
import { send } from '../../src/net/request.js';
import { tlsConnectOptions } from '../../src/net/tls-connect.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';
import { PROXY_KINDS, startProxy, type TestProxy } from '../helpers/test-proxy.js';

// A real proxy (npm `proxy`; tinyproxy too in .ci/run's extra layer), real TLS: the proxy's
// record proves which requests went through it.
let plain: RecordingServer;
let secure: RecordingServer;
let certs: TestCerts;

beforeAll(async () => {
  certs = makeTestCerts();
  [plain, secure] = await Promise.all([startRecordingServer(), startRecordingServer(undefined, certs)]);
});

afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close()]);
});

const get = (url: string, d: Parameters<typeof send>[1]) => send({ method: 'GET', url: new URL(url), headers: {} }, d, { timeoutMs: 5000 });

describe.each(PROXY_KINDS)('through %s', (kind) => {
let proxy: TestProxy;
let authProxy: TestProxy;
beforeAll(async () => {
  [proxy, authProxy] = await Promise.all([startProxy(kind), startProxy(kind, { basicAuth: { user: 'wren', pass: 'pa55word' } })]);
});
afterAll(async () => {
  await Promise.all([proxy?.stop(), authProxy?.stop()]);
});

describe('destination dispatcher', () => {
  it('forwards http through HTTP_PROXY', async () => {
    const d = createDestinationDispatcher({ env: { HTTP_PROXY: proxy.url } });
    const res = await get(`${plain.url}/via-env-http`, d);
    expect(res.status).toBe(200);
    expect(proxy.requests()).toContainEqual({ method: 'GET', target: `${plain.url}/via-env-http` });
    await d.close();
  });

  it('tunnels https through HTTPS_PROXY with CONNECT, trusting a CA file on top of the default roots', async () => {
    const d = createDestinationDispatcher({ env: { https_proxy: proxy.url }, tls: { caFile: certs.caFile } });
    const res = await get(`${secure.url}/via-connect`, d);
    expect(res.status).toBe(200);
    expect(proxy.requests()).toContainEqual({ method: 'CONNECT', target: secure.hostPort });
    expect(secure.received.at(-1)?.path).toBe('/via-connect');
    await d.close();
  });

  it('refuses an unknown CA unless tls.verify is off', async () => {
    const strict = createDestinationDispatcher({ env: { HTTPS_PROXY: proxy.url } });
    await expect(get(`${secure.url}/strict`, strict)).rejects.toThrow();
    const lax = createDestinationDispatcher({ env: { HTTPS_PROXY: proxy.url }, tls: { verify: false } });
    expect((await get(`${secure.url}/lax`, lax)).status).toBe(200);
    await Promise.all([strict.close(), lax.close()]);
  });

  it('decides per origin: NO_PROXY hosts go direct, others through the proxy', async () => {
    const d = createDestinationDispatcher({ env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost' } });
    const direct = `http://localhost:${plain.port}/direct-by-no-proxy`;
    const proxied = `${plain.url}/proxied-next-to-no-proxy`;
    expect((await get(direct, d)).status).toBe(200);
    expect((await get(proxied, d)).status).toBe(200);
    const targets = proxy.requests().map((r) => r.target);
    expect(targets).toContain(proxied);
    expect(targets.some((t) => t.includes('direct-by-no-proxy'))).toBe(false);
    expect(plain.received.map((r) => r.path)).toContain('/direct-by-no-proxy');
    await d.close();
  });

  it('NO_PROXY by CIDR keeps loopback direct', async () => {
    const d = createDestinationDispatcher({ env: { HTTP_PROXY: proxy.url, no_proxy: '127.0.0.0/8' } });
    expect((await get(`${plain.url}/cidr-direct`, d)).status).toBe(200);
    expect(proxy.log()).not.toContain('cidr-direct');
    await d.close();
  });

  it("uses the output's proxy with user:pass@, over the environment", async () => {
    const bad = new URL(authProxy.url);
    bad.password = 'wrong';
    const d = createDestinationDispatcher({ proxy: authProxy.url, env: { HTTP_PROXY: proxy.url } });
    expect((await get(`${plain.url}/authed`, d)).status).toBe(200);
    expect(authProxy.requests()).toContainEqual({ method: 'GET', target: `${plain.url}/authed` });
    expect(proxy.log()).not.toContain('/authed');
    const denied = createDestinationDispatcher({ proxy: bad.href });
    // Bad credentials: 407 (tinyproxy answers a forwarded request 401).
    const outcome = await get(`${plain.url}/denied`, denied).then((r) => r.status, (e: Error) => e.message);
    expect(String(outcome)).toMatch(/401|407/);
    expect(plain.received.some((r) => r.path === '/denied')).toBe(false);
    await Promise.all([d.close(), denied.close()]);
  });
});

describe('https:// proxy', () => {
  let front: TlsServer;
  let frontPort = 0;
  beforeAll(async () => {
    // A TLS front on the proxy: together, a real proxy that is reached over https://.
    front = createTlsServer({ cert: certs.certPem, key: certs.keyPem }, (sock) => {
      const up = netConnect(proxy.port, '127.0.0.1');
      sock.pipe(up).pipe(sock);
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    frontPort = (front.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => front.close(() => r())));

  it('reaches http and https destinations through an https proxy (CA from tls.ca_file)', async () => {
    const d = createDestinationDispatcher({ proxy: `https://localhost:${frontPort}`, tls: { caFile: certs.caFile } });
    expect((await get(`${plain.url}/over-https-proxy`, d)).status).toBe(200);
    expect((await get(`${secure.url}/tls-in-tls`, d)).status).toBe(200);
    const connects = proxy.requests().filter((r) => r.method === 'CONNECT').map((r) => r.target);
    expect(connects).toContain(plain.hostPort);
    expect(connects).toContain(secure.hostPort);
    expect(secure.received.map((r) => r.path)).toContain('/tls-in-tls');
    await d.close();
  });

  it("tls.verify off is about the destination: the proxy's certificate is still checked unless proxy.tls.verify is off", async () => {
    const strict = createDestinationDispatcher({ proxy: `https://localhost:${frontPort}`, tls: { verify: false } });
    await expect(get(`${plain.url}/unchecked-proxy`, strict)).rejects.toThrow();
    expect(plain.received.some((r) => r.path === '/unchecked-proxy')).toBe(false);
    const lax = createDestinationDispatcher({ proxy: `https://localhost:${frontPort}`, tls: { verify: false, proxyVerify: false } });
    expect((await get(`${plain.url}/proxy-unchecked-on-purpose`, lax)).status).toBe(200);
    await Promise.all([strict.close(), lax.close()]);
  });
});

describe('metadata dispatcher', () => {
  it('never uses the environment proxy', async () => {
    // createMetadataDispatcher takes no environment at all: even with HTTP_PROXY set for the
    // destination, metadata requests go direct.
    const dest = createDestinationDispatcher({ env: { HTTP_PROXY: proxy.url } });
    const meta = createMetadataDispatcher({});
    expect((await get(`${plain.url}/latest/meta-data/direct`, meta)).status).toBe(200);
    expect((await get(`${plain.url}/dest-next-to-meta`, dest)).status).toBe(200);
    expect(proxy.log()).toContain('/dest-next-to-meta');
    expect(proxy.log()).not.toContain('/latest/meta-data/direct');
    await Promise.all([dest.close(), meta.close()]);
  });

  it('uses aws_metadata_proxy when set', async () => {
    const meta = createMetadataDispatcher({ proxy: proxy.url });
    expect((await get(`${plain.url}/latest/meta-data/proxied`, meta)).status).toBe(200);
    expect(proxy.requests()).toContainEqual({ method: 'GET', target: `${plain.url}/latest/meta-data/proxied` });
    await meta.close();
  });
});

});

describe('TLS options', () => {
  it('a CA file adds to the default roots, it does not replace them', () => {
    const t = tlsConnectOptions({ caFile: certs.caFile }, {});
    expect(t.ca?.length).toBe(rootCertificates.length + 1);
    expect(t.ca?.at(-1)).toBe(certs.caPem);
    expect(tlsConnectOptions(undefined, {})).toEqual({ rejectUnauthorized: true });
  });

  it('a missing CA file is a one-line config error', () => {
    expect(() => tlsConnectOptions({ caFile: '/nonexistent/ca.pem' }, {})).toThrow(/cannot read tls.ca_file \/nonexistent\/ca.pem/);
  });
});
