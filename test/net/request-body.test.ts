import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { HEAD_BYTES, send } from '../../src/net/request.js';

// An answer streamed in pieces: `skipBody` sees its head, and the rest is kept only when needed.
let server: Server;
let url: URL;
const long = (errors: boolean) => `{"took":1,"errors":${errors},"items":[${new Array(2000).fill('{"create":{"status":201}}').join(',')}]}`;

beforeAll(async () => {
  server = createServer((req, res) => {
    const status = Number(new URL(req.url!, 'http://x').searchParams.get('status') ?? 200);
    const text = req.url!.includes('errors') ? long(true) : req.url!.includes('short') ? '{"errors":false}' : long(false);
    res.writeHead(status, { 'content-type': 'application/json' });
    // in pieces, so the head arrives before the rest
    for (let i = 0; i < text.length; i += 100) res.write(text.slice(i, i + 100));
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const noErrors = (head: Buffer) => head.toString('latin1').includes('"errors":false');

it('keeps only the head of a 2xx answer that skipBody says is not needed', async () => {
  const d = createDestinationDispatcher({ env: {} });
  const get = (path: string) => send({ method: 'GET', url: new URL(path, url), headers: {} }, d, { timeoutMs: 5000, skipBody: noErrors });
  const ok = await get('/ok');
  expect(ok.status).toBe(200);
  expect(ok.body.length).toBe(HEAD_BYTES);
  expect(ok.body.toString()).toBe(long(false).slice(0, HEAD_BYTES));
  // the body is needed: all of it
  expect((await get('/errors')).body.toString()).toBe(long(true));
  // shorter than the head: all of it, whatever skipBody would say
  expect((await get('/short')).body.toString()).toBe('{"errors":false}');
  // not a 2xx: all of it (the reason is in there)
  expect((await get('/ok?status=503')).body.toString()).toBe(long(false));
  // without skipBody: all of it
  expect((await send({ method: 'GET', url: new URL('/ok', url), headers: {} }, d, { timeoutMs: 5000 })).body.toString()).toBe(long(false));
  await d.close();
});
