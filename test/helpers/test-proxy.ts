import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { createProxy } from 'proxy';
import { startTinyproxy } from './tinyproxy.js';

/**
 * A real HTTP proxy on a loopback port (forwarding and CONNECT), which records what it was asked
 * for, so tests can prove which requests went through it (and which never did).
 */
export interface TestProxy {
  /** `http://127.0.0.1:<port>` (with `user:pass@` when basic auth is on). */
  url: string;
  port: number;
  /** Every request line so far, one a line (`GET http://…/x`, `CONNECT host:port`). */
  log(): string;
  /** Requests the proxy received: `GET http://127.0.0.1:1234/x` → method GET, target the URL; CONNECT → host:port. */
  requests(): { method: string; target: string }[];
  /** True when some request named this host:port (forwarded or CONNECT). */
  saw(hostPort: string): boolean;
  stop(): Promise<void>;
}

export interface TestProxyOptions {
  /** Require `Proxy-Authorization: Basic` with these. */
  basicAuth?: { user: string; pass: string };
}

/**
 * The proxies the suite runs its proxy tests against. Always `proxy` (npm: the HTTP/CONNECT proxy
 * undici's own tests use, installed by `npm ci`); with WREN_TEST_TINYPROXY=1 (set by .ci/run, which
 * apt-installs it) also tinyproxy, and then a missing tinyproxy fails those tests: it never skips.
 */
export type ProxyKind = 'proxy' | 'tinyproxy';
export const PROXY_KINDS: ProxyKind[] = process.env.WREN_TEST_TINYPROXY === '1' ? ['proxy', 'tinyproxy'] : ['proxy'];

export function startProxy(kind: ProxyKind, opts: TestProxyOptions = {}): Promise<TestProxy> {
  return kind === 'tinyproxy' ? startTinyproxy(opts) : startNpmProxy(opts);
}

/** The `proxy` package on 127.0.0.1:<free port>, in this process (so the loopback guard covers its upstream connections). */
export async function startNpmProxy(opts: TestProxyOptions = {}): Promise<TestProxy> {
  const seen: { method: string; target: string }[] = [];
  const server = createServer();
  // Recorded before the proxy's own listeners run (as tinyproxy logs a request before checking it).
  server.prependListener('request', (req: IncomingMessage) => { seen.push({ method: req.method ?? '', target: req.url ?? '' }); });
  server.prependListener('connect', (req: IncomingMessage) => { seen.push({ method: 'CONNECT', target: req.url ?? '' }); });
  const proxy = createProxy(server);
  if (opts.basicAuth) {
    const want = `Basic ${Buffer.from(`${opts.basicAuth.user}:${opts.basicAuth.pass}`).toString('base64')}`;
    proxy.authenticate = (req) => req.headers['proxy-authorization'] === want;
  }
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const auth = opts.basicAuth ? `${encodeURIComponent(opts.basicAuth.user)}:${encodeURIComponent(opts.basicAuth.pass)}@` : '';
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    port,
    log: () => seen.map((r) => `${r.method} ${r.target}\n`).join(''),
    requests: () => seen.slice(),
    saw: (hostPort) => seen.some((r) => r.target === hostPort || r.target.startsWith(`http://${hostPort}/`)),
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
