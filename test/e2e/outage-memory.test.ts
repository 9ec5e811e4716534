import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { startWren, tempDir, writeConfig } from '../helpers/cli.js';
import { startRecordingServer } from '../helpers/recording-server.js';
import { until } from '../helpers/until.js';

/**
 * Memory under an outage: the destination answers 503 for long enough that the file behind the
 * tail is many times mem_buf_limit, Wren's RSS is sampled every 100 ms from /proc, and when the
 * destination comes back every line arrives, once.
 *
 * Wren runs with the environment the `wren` command (bin/wren.cjs) and the image give Node, as
 * every CLI test does (test/helpers/cli.ts): a fixed malloc trim threshold. The bound is the
 * issue's target, mem_buf_limit + 60 MB. Measured: a 59.6-60.1 MB peak with 2M
 * (WREN_TEST_SHOW_RSS=1 prints it), reached in the burst that fills mem_buf_limit as the outage
 * begins, then flat. Of it, about 41 MB is the node binary's pages (a bare `node` touches 31: V8's
 * optimizing compiler, the modules loaded). It was 61.3-61.6 while direct connections went through
 * undici (its WebAssembly HTTP parser), 63-64 before Wren stopped loading what such a run does not
 * use (test/e2e/lean-modules.test.ts) and V8's time zone data (src/codec/iso-time.ts), and 65-67
 * before that.
 */
const LINES = 60_000; // about 12 MB: six times mem_buf_limit
const LIMIT_MB = 2;
const BOUND_MB = LIMIT_MB + 60;

const rssMb = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return 0;
  }
};

test('RSS stays under mem_buf_limit + 60 MB while the destination is down, and nothing is lost when it comes back', async () => {
  const dir = tempDir('wren-outage-');
  const pad = 'x'.repeat(160);
  writeFileSync(join(dir, 'app.log'), Array.from({ length: LINES }, (_, n) => `{"n":${n},"msg":"${pad}"}\n`).join(''));
  const state = { down: true, refused: 0 };
  const seen = new Set<number>();
  let duplicated = 0;
  const sink = await startRecordingServer((req, res) => {
    if (state.down) {
      state.refused++;
      return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
    }
    for (const line of req.body.toString().split('\n')) {
      if (!line) continue;
      const n = (JSON.parse((JSON.parse(line) as { log: string }).log) as { n: number }).n;
      if (seen.has(n)) duplicated++;
      seen.add(n);
    }
    res.writeHead(200).end('ok');
  });
  const cfg = writeConfig(`service:
  flush: 200ms
  log_level: error
  scheduler.base: 200ms
  scheduler.cap: 1s
pipeline:
  inputs:
    - name: tail
      path: ${dir}/*.log
      read_from_head: on
      mem_buf_limit: ${LIMIT_MB}M
  outputs:
    - name: http
      match: '*'
      host: 127.0.0.1
      port: ${sink.port}
      format: json_lines
      json_date_key: false
      retry_limit: no_limits
`, dir);
  const wren = startWren(['run', '-c', cfg]);
  const pid = wren.child.pid!;
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMb(pid)), 100);
  try {
    await until(() => state.refused >= 3, 20_000, 'the first refused flushes');
    await new Promise((r) => setTimeout(r, 6000)); // the outage: Wren holds mem_buf_limit and waits
    const peak = Math.max(...samples);
    if (process.env.WREN_TEST_SHOW_RSS) console.log(`outage peak ${peak.toFixed(1)} MB`);
    state.down = false;
    await until(() => seen.size === LINES, 60_000, `all ${LINES} lines delivered (have ${seen.size})`);
    expect(duplicated).toBe(0);
    expect(samples.length).toBeGreaterThan(50);
    expect(peak, `peak RSS ${peak.toFixed(1)} MB during the outage`).toBeLessThan(BOUND_MB);
  } finally {
    clearInterval(sampler);
    wren.child.kill('SIGTERM');
    await wren.exited;
    await sink.close();
  }
}, 90_000);
