import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv, ROOT } from '../helpers/cli.js';

// src/net/undici.ts loads undici's dispatcher and request files, not its index (fetch, WebSocket,
// caches, mocks…): about 8 MB of RSS and 60 ms of start-up less for every process with a network output.

test('the dispatchers Wren builds load undici without its index, and still send requests', async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(`${req.method} ${req.url}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const mod = pathToFileURL(join(ROOT, 'dist', 'src', 'net', 'dispatchers.js')).href;
  const req = pathToFileURL(join(ROOT, 'dist', 'src', 'net', 'request.js')).href;
  const script = `
    import { createRequire } from 'node:module';
    const { createDestinationDispatcher } = await import(${JSON.stringify(mod)});
    const { send } = await import(${JSON.stringify(req)});
    const d = createDestinationDispatcher({ env: {} });
    const res = await send({ method: 'POST', url: new URL('http://127.0.0.1:${port}/a?b=1'), headers: {}, body: 'x' }, d);
    await d.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/undici/'));
    console.log(JSON.stringify({ status: res.status, body: res.body.toString(), index: loaded.some((k) => k.endsWith('/undici/index.js')), fetch: loaded.some((k) => k.includes('/lib/web/')) }));
  `;
  // the child runs while this process serves: asynchronously
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', join(ROOT, 'test', 'helpers', 'loopback-guard-preload.mjs'), '--input-type=module', '-e', script], { cwd: ROOT, env: childEnv() }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  server.close();
  expect(JSON.parse(out)).toEqual({ status: 200, body: 'POST /a?b=1', index: false, fetch: false });
});
