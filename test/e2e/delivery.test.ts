import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startRecordingServer } from '../helpers/recording-server.js';
import { freePort, startWren, writeConfig } from '../helpers/cli.js';
import { jsonLinesHttp, QUICK_RETRY_SERVICE } from '../helpers/config-yaml.js';

const numbered = (from: number, n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ n: from + i, msg: `line ${from + i}` })).join('\n') + '\n';

function receivedNumbers(bodies: Buffer[]): number[] {
  const out: number[] = [];
  for (const b of bodies) for (const line of b.toString().split('\n')) if (line) out.push((JSON.parse(line) as { n: number }).n);
  return out;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

describe('delivery end to end (the real CLI, a loopback HTTP server)', () => {
  it('retries 503s with backoff and delivers every record exactly once', async () => {
    let calls = 0;
    const server = await startRecordingServer((_req, res) => {
      calls++;
      if (calls <= 3) res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      else res.writeHead(200).end('ok');
    });
    const file = writeConfig(`${QUICK_RETRY_SERVICE}
pipeline:
  inputs:
    - name: stdin
  outputs:
    - name: http
      match: '*'
      host: 127.0.0.1
      port: ${server.port}
      uri: /ingest
      format: json_lines
      json_date_key: false
`);
    const w = startWren(['run', '-c', file], { stdin: numbered(0, 500) });
    const code = await w.exited;
    await server.close();
    expect(code).toBe(0);
    const ok = server.received.slice(3);
    const got = receivedNumbers(ok.map((r) => r.body));
    expect(got.length).toBe(500);
    expect(new Set(got).size).toBe(500);
    expect(server.received[0]!.path).toBe('/ingest');
    expect(server.received[0]!.headers['content-type']).toBe('application/x-ndjson');
    expect(w.logs().filter((l) => /will retry/.test(String(l.msg))).length).toBeGreaterThanOrEqual(3);
  });

  it('keeps memory bounded while the output is down, then resumes without loss', async () => {
    let up = false;
    let delivered = 0;
    const server = await startRecordingServer((req, res) => {
      if (!up) return void res.writeHead(503).end('down');
      delivered += req.body.toString().split('\n').filter(Boolean).length;
      res.writeHead(200).end('ok');
    });
    const port = await freePort();
    const samples = 150_000;
    const file = writeConfig(`service:
  flush: 200ms
  scheduler.base: 100ms
  scheduler.cap: 300ms
  http_server: on
  http_listen: 127.0.0.1
  http_port: ${port}
pipeline:
  inputs:
    - name: dummy
      dummy: '{"message":"${'x'.repeat(200)}"}'
      rate: 50000
      samples: ${samples}
      mem_buf_limit: 2M
  outputs:
${jsonLinesHttp(server.port)}
`);
    const w = startWren(['run', '-c', file]);
    await w.waitForLog(/mem_buf_limit reached/);
    const scrape = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/api/v2/metrics/prometheus`)).text();
      const read = (name: string, labels = '') => Number(new RegExp(`${name}\\{name="dummy\\.0"${labels}\\} (\\d+)`).exec(text)![1]);
      return { buffered: read('wren_input_buffered_bytes', ',plugin="dummy"'), paused: read('fluentbit_input_ingestion_paused'), emitted: read('fluentbit_input_records_total') };
    };
    // stay blocked a while: the input stays paused, reads nothing more, the buffer stays at the limit
    const first = await scrape();
    const rss: number[] = [];
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 250));
      rss.push(rssMb(w.child.pid!));
    }
    const later = await scrape();
    expect(later.paused).toBe(1);
    expect(later.emitted).toBe(first.emitted);
    expect(later.emitted).toBeLessThan(samples);
    expect(later.buffered).toBeLessThan(2 * 1024 * 1024 + 10_000 * 230);
    expect(Math.max(...rss)).toBeLessThan(200);
    up = true;
    const code = await w.exited;
    await server.close();
    expect(code).toBe(0);
    // the generated records, each delivered once (dummy records are identical: count them)
    expect(delivered).toBe(samples);
  }, 40_000);

  it('SIGTERM flushes what was buffered and exits 0', async () => {
    const server = await startRecordingServer();
    const file = writeConfig(`service:
  flush: 30s
  grace: 5s
pipeline:
  inputs:
    - name: stdin
  outputs:
${jsonLinesHttp(server.port)}
`);
    const w = startWren(['run', '-c', file]);
    await w.waitForLog(/wren started/);
    w.child.stdin!.write(numbered(0, 300));
    await new Promise((r) => setTimeout(r, 300));
    expect(server.received).toHaveLength(0); // flush is 30 s away
    w.kill('SIGTERM');
    const code = await w.exited;
    await server.close();
    expect(code).toBe(0);
    expect(receivedNumbers(server.received.map((r) => r.body)).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('answers health, uptime and Prometheus metrics with the right counts', async () => {
    const failing = await startRecordingServer((_req, res) => void res.writeHead(500).end('nope'));
    const port = await freePort();
    const file = writeConfig(`service:
  flush: 100ms
  scheduler.base: 50ms
  scheduler.cap: 100ms
  http_server: on
  http_listen: 127.0.0.1
  http_port: ${port}
  health_check: on
  hc_errors_count: 2
  hc_retry_failure_count: 5
  hc_period: 60
pipeline:
  inputs:
    - name: stdin
      alias: app
  outputs:
    - name: null
      match: '*'
    - name: http
      alias: broken
      match: '*'
      port: ${failing.port}
      retry_limit: 1
`);
    const w = startWren(['run', '-c', file]);
    await w.waitForLog(/http server listening/);
    const base = `http://127.0.0.1:${port}`;
    const health0 = await fetch(`${base}/api/v1/health`);
    expect(health0.status).toBe(200);
    expect(await health0.text()).toBe('ok\n');
    w.child.stdin!.write(numbered(0, 25));
    // the broken output fails twice (first try + 1 retry) per chunk, then drops it
    await w.waitForLog(/dropped 25 record/);
    const text = await (await fetch(`${base}/api/v2/metrics/prometheus`)).text();
    expect(text).toMatch(/# TYPE fluentbit_input_records_total counter/);
    expect(text).toMatch(/fluentbit_input_records_total\{name="app"\} 25\n/);
    expect(text).toMatch(/fluentbit_output_proc_records_total\{name="null\.0"\} 25\n/);
    expect(text).toMatch(/fluentbit_output_proc_records_total\{name="broken"\} 0\n/);
    expect(text).toMatch(/fluentbit_output_retries_total\{name="broken"\} 1\n/);
    expect(text).toMatch(/fluentbit_output_retries_failed_total\{name="broken"\} 1\n/);
    expect(text).toMatch(/fluentbit_output_dropped_records_total\{name="broken"\} 25\n/);
    expect(text).toMatch(/fluentbit_output_errors_total\{name="broken"\} 2\n/);
    expect(text).toMatch(/wren_output_buffered_bytes\{name="broken",plugin="http"\} 0\n/);
    // 2 errors is not above hc_errors_count 2 yet: healthy; a third error tips it
    expect((await fetch(`${base}/api/v1/health`)).status).toBe(200);
    w.child.stdin!.write(numbered(25, 1));
    await w.waitForLog(/dropped 1 record/);
    const health1 = await fetch(`${base}/api/v1/health`);
    expect(health1.status).toBe(500);
    expect(await health1.text()).toBe('error\n');
    const health2 = await fetch(`${base}/api/v2/health`);
    expect(health2.status).toBe(500);
    expect(await health2.json()).toEqual({ status: 'error', errors: 4, retries_failed: 2, error_limit: 2, retry_failure_limit: 5, period_limit: 60 });
    const up = (await (await fetch(`${base}/api/v1/uptime`)).json()) as { uptime_sec: number; uptime_hr: string };
    expect(up.uptime_sec).toBeGreaterThanOrEqual(0);
    expect(up.uptime_hr).toMatch(/running/);
    w.child.stdin!.end();
    const code = await w.exited;
    await failing.close();
    expect(code).toBe(2); // records were dropped
  });
});
