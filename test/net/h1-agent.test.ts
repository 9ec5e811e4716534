import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { H1Agent } from '../../src/net/h1-agent.js';
import { send, type OutgoingRequest } from '../../src/net/request.js';
import { tlsConnectOptions } from '../../src/net/tls-connect.js';
import { makeTestCerts } from '../helpers/tls-certs.js';

// Wren's own HTTP/1.1 client for direct destination traffic: framing, keep-alive, errors, TLS.
const servers: (Server | NetServer)[] = [];
const serverSockets: Socket[] = [];
const agents: H1Agent[] = [];

afterEach(async () => {
  for (const a of agents.splice(0)) await a.destroy();
  // a raw server's socket that never reads would not see the client go: end them here
  for (const c of serverSockets.splice(0)) c.destroy();
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

function agent(o: Partial<ConstructorParameters<typeof H1Agent>[0]> = {}): H1Agent {
  const a = new H1Agent({ tls: { rejectUnauthorized: true }, connectTimeoutMs: 5000, ...o });
  agents.push(a);
  return a;
}

async function listen<S extends Server | NetServer>(s: S): Promise<{ server: S; url: URL; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  s.on('connection', (c: Socket) => {
    sockets.push(c);
    serverSockets.push(c);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  const proto = s instanceof HttpsServer ? 'https' : 'http';
  return { server: s, url: new URL(`${proto}://127.0.0.1:${(s.address() as { port: number }).port}/`), sockets };
}

/** A node:http server answering `METHOD path body` (and 204 / HEAD without a body). */
function echoServer(): Server {
  return createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/empty') return res.writeHead(204).end();
      res.setHeader('x-host', String(req.headers.host));
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).length}`);
    });
  });
}

/** A raw TCP server that answers every request (once its head is in) with `answer(n)` (n from 0). */
function rawServer(answer: (n: number, sock: Socket) => void): NetServer {
  let n = 0;
  return createNetServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        const head = buf.slice(0, buf.indexOf('\r\n\r\n'));
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < head.length + 4 + len) return;
        buf = buf.slice(head.length + 4 + len);
        answer(n++, sock);
      }
    });
    sock.on('error', () => {});
  });
}

const get = (url: URL, path = '/', extra: Partial<OutgoingRequest> = {}): OutgoingRequest => ({ method: 'GET', url: new URL(path, url), headers: {}, ...extra });

it('keeps one connection alive across requests, with host and content-length set', async () => {
  const { url, sockets } = await listen(echoServer());
  const a = agent();
  for (let i = 0; i < 5; i++) {
    const res = await send({ method: 'POST', url: new URL(`/p${i}?q=1`, url), headers: {}, body: Buffer.alloc(1000 * i, 97) }, a, { timeoutMs: 5000 });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(`POST /p${i}?q=1 ${1000 * i}`);
    expect(res.headers['x-host']).toBe(url.host);
  }
  const empty = await send(get(url, '/empty'), a, { timeoutMs: 5000 });
  expect([empty.status, empty.body.length]).toEqual([204, 0]);
  const head = await send({ ...get(url), method: 'HEAD' }, a, { timeoutMs: 5000 });
  expect([head.status, head.body.length]).toEqual([200, 0]);
  expect(sockets).toHaveLength(1);
  expect(a.stats).toEqual({ total: 1, busy: 0 });
});

it('opens a connection per request in flight, or queues them at `connections`', async () => {
  const { url, sockets } = await listen(echoServer());
  const many = agent();
  const all = await Promise.all([1, 2, 3].map((i) => send(get(url, `/${i}`), many, { timeoutMs: 5000 })));
  expect(all.map((r) => r.body.toString())).toEqual(['GET /1 0', 'GET /2 0', 'GET /3 0']);
  expect(sockets).toHaveLength(3);
  const one = agent({ connections: 1 });
  const queued = await Promise.all([1, 2, 3].map((i) => send(get(url, `/${i}`), one, { timeoutMs: 5000 })));
  expect(queued.map((r) => r.body.toString())).toEqual(['GET /1 0', 'GET /2 0', 'GET /3 0']);
  expect(sockets).toHaveLength(4);
});

it('reads chunked answers however the bytes arrive, and keeps the connection', async () => {
  const answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n';
  const { url, sockets } = await listen(rawServer((n, sock) => {
    if (n === 0) sock.write(answer); // all at once
    else { // one byte at a time
      let i = 0;
      const next = () => { if (i < answer.length) sock.write(answer[i++]!, () => setImmediate(next)); };
      next();
    }
  }));
  const a = agent();
  for (let i = 0; i < 2; i++) {
    const res = await send(get(url), a, { timeoutMs: 5000 });
    expect(res.body.toString()).toBe('hello, world');
    expect(res.headers['x-a']).toBe('1');
  }
  expect(sockets).toHaveLength(1);
});

it('reads a body to the end of the connection when it has no length, then opens a new one', async () => {
  const { url, sockets } = await listen(rawServer((n, sock) => {
    sock.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nx-n: ' + n + '\r\n\r\npart one, ');
    setTimeout(() => sock.end('part two'), 20);
  }));
  const a = agent();
  for (let i = 0; i < 2; i++) {
    const res = await send(get(url), a, { timeoutMs: 5000 });
    expect([res.status, res.body.toString(), res.headers['x-n']]).toEqual([200, 'part one, part two', String(i)]);
  }
  expect(sockets).toHaveLength(2);
});

it('opens a new connection after `Connection: close`, a short keep-alive hint, or the server closing an idle one', async () => {
  let mode = 'close';
  const { url, sockets } = await listen(rawServer((_n, sock) => {
    if (mode === 'close') sock.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
    else if (mode === 'hint') sock.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok');
    else {
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => sock.end(), 20); // the server's idle timeout
    }
  }));
  const a = agent();
  for (const m of ['close', 'close', 'hint', 'hint', 'idle', 'idle']) {
    mode = m;
    expect((await send(get(url), a, { timeoutMs: 5000 })).body.toString()).toBe('ok');
    if (m === 'idle') await new Promise((r) => setTimeout(r, 100));
  }
  expect(sockets).toHaveLength(6);
  expect(a.stats.total).toBe(0);
});

it('closes a connection once it has been idle for the keep-alive time, counted from its last answer', async () => {
  // Keep-Alive: timeout=4 leaves 2 s (less the 2 s margin). Requests at 0 and 1 s: still open at
  // 2.5 s (the idle clock restarted at 1 s), closed at about 3 s.
  const { url, sockets } = await listen(rawServer((_n, sock) => sock.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=4\r\nContent-Length: 2\r\n\r\nok')));
  const a = agent();
  const t0 = performance.now();
  await send(get(url), a, { timeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 1000));
  await send(get(url), a, { timeoutMs: 5000 });
  const second = performance.now();
  await new Promise((r) => setTimeout(r, 2500 - (second - t0)));
  expect(a.stats.total).toBe(1);
  while (a.stats.total > 0 && performance.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 20));
  expect(a.stats.total).toBe(0);
  expect(performance.now() - second).toBeGreaterThanOrEqual(1900);
  expect(sockets).toHaveLength(1);
});

it('fails a request, in one line naming the server, on a malformed answer or a connection closed mid-answer; the next works', async () => {
  const { url } = await listen(rawServer((n, sock) => {
    if (n === 0) sock.write('SMTP ready\r\n\r\n');
    else if (n === 1) sock.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
    else if (n === 2) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok');
    else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  }));
  const a = agent();
  await expect(send(get(url), a, { timeoutMs: 5000 })).rejects.toThrow(`malformed answer from ${url.host}: not an HTTP/1.1 status line: "SMTP ready"`);
  await expect(send(get(url), a, { timeoutMs: 5000 })).rejects.toThrow('the server closed the connection before the whole answer');
  await expect(send(get(url), a, { timeoutMs: 5000 })).rejects.toThrow('invalid content-length');
  expect((await send(get(url), a, { timeoutMs: 5000 })).body.toString()).toBe('ok');
});

it('refuses header values with line breaks, framing headers and bad methods, sending nothing', async () => {
  const { url, sockets } = await listen(echoServer());
  const a = agent();
  await expect(send(get(url, '/', { headers: { 'x-a': 'v\r\nx-injected: 1' } }), a)).rejects.toThrow('header "x-a" cannot be sent: its value holds a line break or a NUL');
  await expect(send(get(url, '/', { headers: { 'bad name': 'v' } }), a)).rejects.toThrow('header "bad name" cannot be sent: its name is not an HTTP token');
  await expect(send(get(url, '/', { headers: { 'transfer-encoding': 'chunked' } }), a)).rejects.toThrow('header "transfer-encoding" cannot be sent: the HTTP client sets it itself');
  await expect(send(get(url, '/', { method: 'GET /x HTTP/1.1\r\n' }), a)).rejects.toThrow('invalid request method');
  expect(sockets).toHaveLength(0);
});

it('reports refused connections, connect timeouts (TLS included) and aborts', async () => {
  const closed = await listen(echoServer());
  const port = closed.url.port;
  closed.server.close();
  servers.splice(servers.indexOf(closed.server), 1);
  const a = agent({ connectTimeoutMs: 200 });
  await expect(send(get(new URL(`http://127.0.0.1:${port}/`)), a, { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  // a TLS server that never finishes its handshake
  const silent = await listen(createNetServer(() => {}));
  const t0 = Date.now();
  await expect(send(get(new URL(`https://127.0.0.1:${silent.url.port}/`)), a, { timeoutMs: 5000 })).rejects.toThrow(`connect timed out after 200 ms (127.0.0.1:${silent.url.port})`);
  expect(Date.now() - t0).toBeLessThan(2000);
  // an answer that never comes: the abort signal's reason, and the connection is not reused
  const never = await listen(rawServer(() => {}));
  const ctl = new AbortController();
  const p = send(get(never.url), a, { timeoutMs: 5000, signal: ctl.signal });
  setTimeout(() => ctl.abort(new Error('shutting down')), 50);
  await expect(p).rejects.toThrow('shutting down');
  expect(a.stats).toEqual({ total: 0, busy: 0 });
});

it('the loopback guard refuses its connections to other hosts too', async () => {
  const a = agent();
  await expect(send(get(new URL('http://192.0.2.1:9/')), a, { timeoutMs: 2000 })).rejects.toThrow(/test loopback guard/);
});

it('speaks TLS with a CA file, verifies the certificate, and keeps the connection', async () => {
  const certs = makeTestCerts(['localhost', '127.0.0.1']);
  const https = createHttpsServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => { req.resume(); req.on('end', () => res.end('secure')); });
  const { url, sockets } = await listen(https);
  const a = agent({ tls: tlsConnectOptions({ caFile: certs.caFile }, {}) });
  const body = Buffer.alloc(3 * 1024 * 1024, 120);
  for (let i = 0; i < 3; i++) expect((await send({ method: 'PUT', url, headers: {}, body }, a, { timeoutMs: 10_000 })).body.toString()).toBe('secure');
  expect(sockets).toHaveLength(1);
  const strict = agent();
  await expect(send(get(url), strict, { timeoutMs: 5000 })).rejects.toThrow(/self-signed|unable to (get|verify)/);
  const lax = agent({ tls: tlsConnectOptions({ verify: false }, {}) });
  expect((await send(get(url), lax, { timeoutMs: 5000 })).body.toString()).toBe('secure');
});

it('close() waits for requests in flight, then refuses new ones', async () => {
  const { url } = await listen(rawServer((_n, sock) => setTimeout(() => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate'), 100)));
  const a = agent();
  const p = send(get(url), a, { timeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 20));
  const closing = a.close();
  expect((await p).body.toString()).toBe('late');
  await closing;
  expect(a.stats.total).toBe(0);
  await expect(send(get(url), a, { timeoutMs: 5000 })).rejects.toThrow('the connection pool is closed');
});

it('takes an early answer (a 413 before the body is read) and does not reuse that connection', async () => {
  const { url, sockets } = await listen(createNetServer((sock) => {
    sock.once('data', () => sock.end('HTTP/1.1 413 Request Entity Too Large\r\nConnection: close\r\nContent-Length: 8\r\n\r\ntoo big!'));
    sock.on('error', () => {});
  }));
  const a = agent();
  const body = Buffer.alloc(8 * 1024 * 1024, 98);
  for (let i = 0; i < 2; i++) {
    const res = await send({ method: 'POST', url, headers: {}, body }, a, { timeoutMs: 5000 }).catch((e: Error) => e);
    // the answer, or (if the kernel reset the connection first) a one-line network error: never a hang
    if (res instanceof Error) expect(res.message).toMatch(/ECONNRESET|EPIPE|closed the connection/);
    else expect([res.status, res.body.toString()]).toEqual([413, 'too big!']);
  }
  expect(sockets).toHaveLength(2);
  expect(a.stats.total).toBe(0);
});
