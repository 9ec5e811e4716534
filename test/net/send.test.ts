import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { send, type OutgoingRequest } from '../../src/net/request.js';
import { signAndSend } from '../../src/sink/send.js';

// send() on undici's dispatch API: the answer, its headers, the deadline and the abort signal.
let server: Server;
let url: URL;
const held: import('node:http').ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/never') {
        held.push(res); // answers nothing
        return;
      }
      res.setHeader('x-one', 'a');
      res.setHeader('set-cookie', ['b=1', 'c=2']);
      res.writeHead(req.url === '/teapot' ? 418 : 200, { 'X-Mixed-Case': 'Yes' });
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()} ${req.headers['x-h']}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
});
afterAll(async () => {
  for (const r of held) r.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

it('returns the status, the headers by lower-case name (repeated ones as a list) and the whole body', async () => {
  const d = createDestinationDispatcher({ env: {} });
  const res = await send({ method: 'POST', url: new URL('/a?b=1', url), headers: { 'x-h': 'v' }, body: 'payload' }, d, { timeoutMs: 5000 });
  expect(res.status).toBe(200);
  expect(res.headers['x-one']).toBe('a');
  expect(res.headers['x-mixed-case']).toBe('Yes');
  expect(res.headers['set-cookie']).toEqual(['b=1', 'c=2']);
  expect(res.body.toString()).toBe('POST /a?b=1 payload v');
  const teapot = await send({ method: 'GET', url: new URL('/teapot', url), headers: {} }, d);
  expect(teapot.status).toBe(418);
  await d.close();
});

it('gives up at the deadline with a TimeoutError, which signAndSend reports in one line', async () => {
  const d = createDestinationDispatcher({ env: {} });
  const t0 = Date.now();
  const err = await send({ method: 'GET', url: new URL('/never', url), headers: {} }, d, { timeoutMs: 150 }).catch((e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).name).toBe('TimeoutError');
  expect(Date.now() - t0).toBeLessThan(3000);
  await expect(signAndSend({ method: 'GET', url: new URL('/never', url), headers: {} }, { dispatcher: d, timeoutMs: 150 }))
    .rejects.toThrow(/^GET http:\/\/127\.0\.0\.1:\d+\/never failed: no answer within 150 ms$/);
  // the dispatcher still works afterwards
  expect((await send({ method: 'GET', url, headers: {} }, d, { timeoutMs: 5000 })).status).toBe(200);
  await d.destroy();
});

it('stops when the signal aborts, with its reason, and does not send at all when it already has', async () => {
  const d = createDestinationDispatcher({ env: {} });
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(new Error('stopping')), 100);
  await expect(send({ method: 'GET', url: new URL('/never', url), headers: {} }, d, { signal: ctl.signal, timeoutMs: 10_000 })).rejects.toThrow('stopping');
  let hits = 0;
  server.once('request', () => hits++);
  await expect(send({ method: 'GET', url, headers: {} }, d, { signal: ctl.signal })).rejects.toThrow('stopping');
  await new Promise((r) => setTimeout(r, 50));
  expect(hits).toBe(0);
  await d.destroy();
});

it('rejects a refused connection with the network error', async () => {
  const d = createDestinationDispatcher({ env: {} });
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await expect(send({ method: 'GET', url: new URL(`http://127.0.0.1:${port}/`), headers: {} }, d, { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  await d.close();
});

it('signAndSend: signs at once when it can, else waits; one refresh and re-sign after a refusal; one resend after a network error', async () => {
  let refusals = 0;
  let drops = 0;
  const seen: string[] = [];
  const s = createServer((req, res) => {
    seen.push(String(req.headers.authorization));
    if (req.url === '/drop' && drops-- > 0) {
      req.socket.destroy(); // a network error, once
      return;
    }
    req.resume().on('end', () => {
      if (refusals-- > 0) res.writeHead(403, { 'x-amzn-errortype': 'ExpiredTokenException' }).end('{"message":"The security token included in the request is expired"}');
      else res.end('ok');
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  const d = createDestinationDispatcher({ env: {} });
  let key = 'k1';
  let atHand = false;
  const events: string[] = [];
  const signer = {
    signNow: (r: OutgoingRequest) => (atHand ? { ...r, headers: { ...r.headers, authorization: `now ${key}` } } : undefined),
    sign: async (r: OutgoingRequest) => ({ ...r, headers: { ...r.headers, authorization: `later ${key}` } }),
    refresh: async () => {
      events.push('refresh');
      key = 'k2';
      atHand = true;
    },
  };
  const ctx = { dispatcher: d, timeoutMs: 5000, signer, autoRetry: true, onRefresh: () => events.push('onRefresh'), onAutoRetry: () => events.push('retry') };
  // credentials not at hand: sign() waited for; a refusal: refreshed once, re-signed (now at hand)
  refusals = 1;
  let res = await signAndSend({ method: 'POST', url: new URL('/', base), headers: {}, body: 'x' }, ctx);
  expect(res.status).toBe(200);
  expect(seen).toEqual(['later k1', 'now k2']);
  expect(events).toEqual(['onRefresh', 'refresh']);
  // refused again after the refresh: the answer is returned, not refreshed twice
  seen.length = 0;
  events.length = 0;
  refusals = 2;
  res = await signAndSend({ method: 'POST', url: new URL('/', base), headers: {}, body: 'x' }, ctx);
  expect(res.status).toBe(403);
  expect(events).toEqual(['onRefresh', 'refresh']);
  // a network error: sent once more at once (auto_retry_requests); twice: the error, in one line
  seen.length = 0;
  events.length = 0;
  refusals = 0;
  drops = 1;
  res = await signAndSend({ method: 'POST', url: new URL('/drop', base), headers: {}, body: 'x' }, ctx);
  expect(res.status).toBe(200);
  expect(events).toEqual(['retry']);
  drops = 2;
  await expect(signAndSend({ method: 'POST', url: new URL('/drop', base), headers: {}, body: 'x' }, ctx)).rejects.toThrow(/^POST http:\/\/127\.0\.0\.1:\d+\/drop failed: /);
  // a signer that cannot sign: one line naming it
  const broken = { ...ctx, signer: { ...signer, signNow: () => { throw new Error('no region'); } } };
  await expect(signAndSend({ method: 'POST', url: new URL('/', base), headers: {} }, broken)).rejects.toThrow('cannot sign the request: no region');
  await d.destroy();
  await new Promise<void>((r) => s.close(() => r()));
});
