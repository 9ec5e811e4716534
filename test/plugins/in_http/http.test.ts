import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawValue } from '../../../src/config/types.js';
import type { InputContext, LogEvent } from '../../../src/engine/types.js';
import { httpInput } from '../../../plugins/in_http/index.js';
import type { HttpInput } from '../../../plugins/in_http/http-input.js';
import { pluginContext, type CapturedContext } from '../../helpers/plugin-context.js';

let input: HttpInput | undefined;
afterEach(async () => {
  await input?.stop();
  input = undefined;
});

interface Got { tag: string; events: LogEvent[] }

async function start(entries: Array<[string, RawValue]> = []): Promise<{ got: Got[]; ctx: CapturedContext; url: string; pauseOver(n: number): void; resume(): void }> {
  const base = pluginContext(httpInput, [['listen', '127.0.0.1'], ['port', '0'], ...entries]);
  const got: Got[] = [];
  let paused = false;
  let limit = Infinity;
  let count = 0;
  const ctx: InputContext = {
    ...base, tag: 'http.0', done: () => {}, isPaused: () => paused,
    emit: (events, opts) => {
      got.push({ tag: opts?.tag ?? 'http.0', events });
      count += events.length;
      if (count > limit) paused = true;
      opts?.onStored?.();
      return !paused;
    },
  };
  input = (await httpInput.create(ctx)) as HttpInput;
  await input.start();
  return {
    got, ctx: base, url: `http://127.0.0.1:${input.port}`,
    pauseOver: (n) => (limit = n),
    resume: () => { paused = false; limit = Infinity; input!.resume(); },
  };
}

const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('http input', () => {
  it('takes a JSON object, an array, NDJSON and gzip NDJSON; the path is the tag; 201 once stored', async () => {
    const t = await start();
    const r1 = await post(`${t.url}/app.log`, '{"msg":"one"}');
    expect(r1.status).toBe(201);
    expect((await post(`${t.url}/app/web`, '[{"msg":"two"},{"msg":"three"}]')).status).toBe(201);
    expect((await post(`${t.url}/nd`, '{"msg":"four"}\n\n{"msg":"five"}\n', { 'content-type': 'application/x-ndjson' })).status).toBe(201);
    const gz = gzipSync(Buffer.from(Array.from({ length: 1000 }, (_, i) => JSON.stringify({ i })).join('\n')));
    expect((await post(`${t.url}/gz`, gz, { 'content-encoding': 'gzip' })).status).toBe(201);
    expect((await post(`${t.url}/`, '{"msg":"root"}')).status).toBe(201);
    expect(t.got.map((g) => [g.tag, g.events.length])).toEqual([['app.log', 1], ['app.web', 2], ['nd', 2], ['gz', 1000], ['http.0', 1]]);
    expect(t.got[2]!.events.map((e) => e.record.msg)).toEqual(['four', 'five']);
    expect(t.got[3]!.events[999]!.record).toEqual({ i: 999 });
  });

  it('tag_key picks the tag per record; successful_response_code is answered', async () => {
    const t = await start([['tag_key', 'stream'], ['successful_response_code', '200']]);
    const r = await post(`${t.url}/default`, '[{"stream":"a","n":1},{"n":2},{"stream":"b","n":3},{"stream":"a","n":4}]');
    expect(r.status).toBe(200);
    expect(t.got.map((g) => [g.tag, g.events.map((e) => e.record.n)])).toEqual([['a', [1, 4]], ['default', [2]], ['b', [3]]]);
  });

  it('refuses what is not records with 400 and the reason (logged); too large with 413; nothing of them is taken', async () => {
    const t = await start([['buffer_max_size', '1k']]);
    const bad = await post(`${t.url}/x`, 'hello world');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/not JSON/);
    const line3 = await post(`${t.url}/x`, '{"a":1}\n{"b":2}\n{oops}\n');
    expect(line3.status).toBe(400);
    expect(await line3.text()).toMatch(/line 3/);
    expect((await post(`${t.url}/x`, '[1,2]')).status).toBe(400);
    expect((await post(`${t.url}/x`, JSON.stringify({ big: 'x'.repeat(2000) }))).status).toBe(413);
    expect((await fetch(`${t.url}/x`)).status).toBe(405);
    expect(t.got).toHaveLength(0);
    expect(t.ctx.logs.filter((l) => /request refused/.test(String(l.msg))).map((l) => l.status)).toEqual([400, 400, 400, 413, 405]);
  });

  it('answers 503 with Retry-After while paused over mem_buf_limit, and 201 again after resuming', async () => {
    const t = await start();
    t.pauseOver(0);
    expect((await post(`${t.url}/a`, '{"n":1}')).status).toBe(201); // stored: it is what took the input over
    const busy = await post(`${t.url}/a`, '{"n":2}');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    t.resume();
    expect((await post(`${t.url}/a`, '{"n":2}')).status).toBe(201);
    expect(t.got.flatMap((g) => g.events.map((e) => e.record.n))).toEqual([1, 2]);
  });
});
