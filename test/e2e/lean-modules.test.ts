import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, startWren, tempDir, writeConfig } from '../helpers/cli.js';
import { startRecordingServer } from '../helpers/recording-server.js';
import { until } from '../helpers/until.js';

/**
 * What a tail → http pipeline (no TLS, no compression) loads of Node's own modules, as users run
 * it (the bundle, through the `wren` bin). Each of these is 0.2-0.9 MB of RSS for as long as Wren
 * runs, and none is needed there: node:tls (only with https or a CA file), node:zlib (only to
 * compress, or with storage.checksum), node:dns (only with service dns.prefer_ipv4), node:perf_hooks
 * (only while the heap governor lets the young generation grow; Wren's clock is src/clock.ts),
 * node:crypto (signing, hashing and nonces load it when they are first needed; tail's file heads
 * are hashed by src/codec/sha1.ts),
 * node:worker_threads (pino's transports, never used) and node:assert (undici's and sonic-boom's
 * `assert(condition)`: the bundle gives them that function alone).
 */
test('a tail → http run loads no node:tls, zlib, dns, perf_hooks, crypto, worker_threads or assert', async () => {
  const dir = tempDir('wren-lean-');
  writeFileSync(join(dir, 'app.log'), Array.from({ length: 50 }, (_, n) => `{"n":${n}}\n`).join(''));
  let lines = 0;
  const sink = await startRecordingServer((req, res) => {
    lines += req.body.toString().split('\n').filter(Boolean).length;
    res.writeHead(200).end('ok');
  });
  const cfg = writeConfig(`service:
  flush: 200ms
  log_level: error
pipeline:
  inputs:
    - name: tail
      path: ${dir}/*.log
      read_from_head: on
      mem_buf_limit: 2M
  outputs:
    - name: http
      match: '*'
      host: 127.0.0.1
      port: ${sink.port}
      format: json_lines
`, dir);
  const list = join(dir, 'modules.txt');
  const wren = startWren(['run', '-c', cfg], {
    env: { NODE_OPTIONS: `--require ${join(ROOT, 'test', 'helpers', 'module-list-preload.cjs')}`, WREN_TEST_MODULE_LIST: list },
  });
  try {
    await until(() => lines >= 50, 15_000, 'the 50 lines delivered');
  } finally {
    wren.child.kill('SIGTERM');
    await wren.exited;
    await sink.close();
  }
  const loaded = readFileSync(list, 'utf8').split('\n');
  expect(loaded).toContain('http'); // the list is real: undici loads node:http
  expect(loaded.filter((m) => ['tls', '_tls_wrap', 'zlib', 'dns', 'perf_hooks', 'crypto', 'worker_threads', 'assert'].includes(m))).toEqual([]);
}, 30_000);
