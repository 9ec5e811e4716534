import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { send } from '../../src/net/request.js';
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
