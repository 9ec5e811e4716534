import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { httpOutput } from '../../../plugins/out_http/index.js';
import type { RawValue } from '../../../src/config/types.js';
import type { Chunk, OutputInstance } from '../../../src/engine/types.js';
import { chunkOf } from '../../helpers/chunks.js';
import { makeTestCerts } from '../../helpers/tls-certs.js';
import { pluginContext } from '../../helpers/plugin-context.js';
import { startRecordingServer, type RecordingServer } from '../../helpers/recording-server.js';

const chunk = (n: number): Chunk => chunkOf(Array.from({ length: n }, (_, i) => ({ time: 1700000000000 + i, record: { i, msg: `m${i}` } })));

let servers: RecordingServer[] = [];
let outputs: OutputInstance[] = [];
afterEach(async () => {
  for (const o of outputs) await o.stop?.();
  for (const s of servers) await s.close();
  servers = [];
  outputs = [];
});

async function output(entries: Array<[string, RawValue]>): Promise<OutputInstance> {
  const o = await httpOutput.create(pluginContext(httpOutput, [['match', '*'], ['net.io_timeout', '3s'], ...entries]));
  outputs.push(o);
  return o;
}

describe('http output', () => {
  it('refuses, when the config loads, a header the HTTP client could not send', async () => {
    await expect(output([['header', 'Expect 100-continue']])).rejects.toThrow("output 'http.0': header 'Expect' cannot be sent: the HTTP client sets it itself");
    await expect(output([['header', 'X@Team core']])).rejects.toThrow("header 'X@Team' cannot be sent: its name is not an HTTP token");
    await expect(output([['header', 'Connection upgrade']])).rejects.toThrow("header 'Connection' cannot be sent: it can only be close or keep-alive");
    // a Host header of the user's is sent as given (virtual hosts)
    const s = await startRecordingServer();
    servers.push(s);
    const o = await output([['port', String(s.port)], ['header', 'Host logs.example.internal']]);
    expect((await o.flush(chunk(1))).status).toBe('ok');
    expect(s.received[0]!.headers.host).toBe('logs.example.internal');
  });

  it('POSTs a JSON array with the date key, extra headers and basic auth', async () => {
    const s = await startRecordingServer();
    servers.push(s);
    const o = await output([['port', String(s.port)], ['uri', '/logs?x=1'], ['header', ['X-Team core', 'X-Env prod']], ['http_user', 'u'], ['http_passwd', 'p w']]);
    expect(await o.flush(chunk(2))).toEqual({ status: 'ok' });
    const r = s.received[0]!;
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/logs?x=1');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-team']).toBe('core');
    expect(r.headers['x-env']).toBe('prod');
    expect(r.headers.authorization).toBe('Basic ' + Buffer.from('u:p w').toString('base64'));
    expect(JSON.parse(r.body.toString())).toEqual([
      { date: 1700000000, i: 0, msg: 'm0' },
      { date: 1700000000.001, i: 1, msg: 'm1' },
    ]);
  });

  it('gzips json_lines bodies when compress gzip', async () => {
    const s = await startRecordingServer();
    servers.push(s);
    const o = await output([['port', String(s.port)], ['format', 'json_lines'], ['compress', 'gzip'], ['json_date_key', 'false']]);
    expect((await o.flush(chunk(3))).status).toBe('ok');
    const r = s.received[0]!;
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(r.body).toString()).toBe('{"i":0,"msg":"m0"}\n{"i":1,"msg":"m1"}\n{"i":2,"msg":"m2"}\n');
  });

  it('retries 5xx and 429 (with Retry-After), drops other 4xx with the reason', async () => {
    const answers = [[503, {}], [429, { 'retry-after': '2' }], [400, {}]] as const;
    let i = 0;
    const s = await startRecordingServer((_req, res) => {
      const [code, h] = answers[i++]!;
      res.writeHead(code, h).end(code === 400 ? 'mapping error: field x' : 'busy');
    });
    servers.push(s);
    const o = await output([['port', String(s.port)]]);
    expect(await o.flush(chunk(1))).toMatchObject({ status: 'retry', reason: expect.stringMatching(/answered 503: busy/) });
    expect(await o.flush(chunk(1))).toMatchObject({ status: 'retry', retryAfterMs: 2000 });
    expect(await o.flush(chunk(1))).toMatchObject({ status: 'drop', reason: expect.stringMatching(/answered 400: mapping error: field x/) });
  });

  it('turns a refused connection into a retry with a one-line reason', async () => {
    const s = await startRecordingServer();
    const port = s.port;
    await s.close();
    const o = await output([['port', String(port)]]);
    const r = await o.flush(chunk(1));
    expect(r).toMatchObject({ status: 'retry', reason: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('speaks TLS, verifying against tls.ca_file, and refuses an unknown CA', async () => {
    const certs = makeTestCerts();
    const s = await startRecordingServer(undefined, certs);
    servers.push(s);
    const good = await output([['port', String(s.port)], ['tls', 'on'], ['tls.ca_file', certs.caFile]]);
    expect(await good.flush(chunk(1))).toEqual({ status: 'ok' });
    const bad = await output([['port', String(s.port)], ['tls', 'on']]);
    expect(await bad.flush(chunk(1))).toMatchObject({ status: 'retry', reason: expect.stringMatching(/certificate|self.signed|issuer/i) });
    const unverified = await output([['port', String(s.port)], ['tls', 'on'], ['tls.verify', 'off']]);
    expect(await unverified.flush(chunk(1))).toEqual({ status: 'ok' });
    expect(s.received).toHaveLength(2);
  });
});
