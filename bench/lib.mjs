// Shared helpers for benchmark scenarios: run the real CLI on a config and read its run report.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The `wren` bin, as users run it (it runs the bundle that `npm run build` makes); BENCH_CLI=path runs another build (A/B). */
export const CLI = process.env.BENCH_CLI ? resolve(ROOT, process.env.BENCH_CLI) : join(ROOT, 'dist', 'src', 'bin.cjs');

/**
 * The environment the `wren` command gives Node before it starts (bin/wren.cjs's shell line, and
 * the image's ENV): the scenarios spawn Node themselves (for BENCH_NODE_ARGS and A/B builds), so
 * they add it, read from that line.
 */
export const WREN_ENV = Object.fromEntries([...readFileSync(join(ROOT, 'bin', 'wren.cjs'), 'utf8').split('\n')[1].matchAll(/export (MALLOC_\w+)=(\S+?);/g)].map((m) => [m[1], m[2]]));

export function benchDir(prefix = 'wren-bench-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Run `wren run -c <config>` to completion; returns its run report (WREN_RUN_REPORT):
 * wall_ms, cpu_user_s, cpu_system_s, max_rss_mb, records_in, bytes_in, records_out, dropped.
 */
export async function runWren(yaml, { env = {}, dir = benchDir() } = {}) {
  const cfg = join(dir, 'bench.yaml');
  const report = join(dir, 'report.json');
  writeFileSync(cfg, yaml);
  const started = performance.now();
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
  // BENCH_ENV="K=V K2=V2" adds variables to Wren's environment (experiments: MALLOC_ARENA_MAX=2)
  const extra = Object.fromEntries((process.env.BENCH_ENV ?? '').split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  // WREN_ENTRY=src runs dist/src instead of the bundle (readable names in a --cpu-prof)
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'run', '-c', cfg], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...WREN_ENV, AWS_EC2_METADATA_DISABLED: 'true', WREN_RUN_REPORT: report, ...(process.env.WREN_ENTRY ? { WREN_ENTRY: process.env.WREN_ENTRY } : {}), ...extra, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; if (stderr.length > 1e6) stderr = stderr.slice(-1e5); });
  const code = await new Promise((r) => child.on('exit', (c) => r(c)));
  const wall = performance.now() - started;
  if (code !== 0) throw new Error(`wren exited ${code}:\n${stderr.slice(-3000)}`);
  const r = JSON.parse(readFileSync(report, 'utf8'));
  return { ...r, process_wall_ms: wall };
}

/** One result line, human-readable, plus a JSON line for tools. */
export function report(name, r, { events = r.records_out, bytes = r.bytes_in, wallMs = r.wall_ms } = {}) {
  const secs = wallMs / 1000;
  const out = {
    scenario: name,
    events,
    seconds: +secs.toFixed(3),
    events_per_s: Math.round(events / secs),
    mb_per_s: bytes ? +(bytes / 1048576 / secs).toFixed(1) : undefined,
    cpu_s: +(r.cpu_user_s + r.cpu_system_s).toFixed(2),
    peak_rss_mb: Math.round(r.max_rss_mb),
  };
  console.log(`${name}: ${out.events_per_s.toLocaleString('en-US')} events/s` + (out.mb_per_s ? `, ${out.mb_per_s} MB/s` : '') +
    `, ${out.cpu_s} CPU s over ${out.seconds} s, peak RSS ${out.peak_rss_mb} MB (${events.toLocaleString('en-US')} events)`);
  console.log(JSON.stringify(out));
  return out;
}

/**
 * A containerd (CRI) log file as kubelet names it, `lines` lines of ~200 bytes with JSON
 * application messages, in `dir`. Returns { file, bytes }.
 */
export function writeCriFile(dir, lines, { pod = 'checkout-7d9f8b6c5-x2lqp', namespace = 'shop', container = 'checkout', base = Date.parse('2025-03-14T09:00:00Z') } = {}) {
  const file = join(dir, `${pod}_${namespace}_${container}-${'c7'.repeat(32)}.log`);
  const fd = openSync(file, 'w');
  const paths = ['/v1/checkout', '/v1/cart', '/v1/items/8812', '/healthz', '/v1/orders'];
  let out = [];
  for (let i = 0; i < lines; i++) {
    const t = base + Math.floor(i / 50);
    const ts = `${new Date(t).toISOString().slice(0, 23)}${String((i * 7919) % 1e6).padStart(6, '0')}Z`;
    const msg = `{"level":"info","ts":${t},"msg":"request completed","method":"GET","path":"${paths[i % 5]}","status":200,"duration_ms":${i % 97},"trace_id":"${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}4bf92f3577b34da6"}`;
    out.push(`${ts} ${i % 10 === 9 ? 'stderr' : 'stdout'} F ${msg}\n`);
    if (out.length === 10_000) {
      writeSync(fd, out.join(''));
      out = [];
    }
  }
  if (out.length) writeSync(fd, out.join(''));
  closeSync(fd);
  return { file, bytes: statSync(file).size };
}

/**
 * The head of a benchmark config: the service block and a tail input reading `file` from the
 * start to its end (multiline.parser cri); filters and outputs follow.
 */
export function tailConfig(file, { tag, memBufLimit }) {
  return `service:
  flush: 200ms
  log_level: warn
pipeline:
  inputs:
    - name: tail
      path: ${file}
${tag ? `      tag: ${tag}\n` : ''}      read_from_head: on
      exit_on_eof: on
      multiline.parser: cri
      mem_buf_limit: ${memBufLimit}
`;
}

/** The example keys the AWS outputs sign with in benchmarks. */
export const EXAMPLE_KEYS_ENV = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** `outputs:` with one opensearch output (gzip, SigV4 with the example keys) to a loopback sink on `port`. */
export function opensearchOutputs(port) {
  return `  outputs:
    - name: opensearch
      match: '*'
      host: 127.0.0.1
      port: ${port}
      index: logs
      compress: gzip
      aws_auth: on
      aws_region: us-east-1
`;
}

/**
 * A loopback sink that answers like OpenSearch `_bulk`: it gunzips each body as it streams in,
 * counts the documents (NDJSON lines / 2) and answers every item created. Returns
 * { port, stats: { docs, requests, wireBytes, signed }, reset(), close() }.
 */
export async function startBulkSink() {
  const { createServer } = await import('node:http');
  const { createGunzip } = await import('node:zlib');
  const stats = { docs: 0, requests: 0, wireBytes: 0, signed: 0 };
  const ITEM = '{"create":{"_index":"logs","status":201}}';
  const answers = new Map();
  const answer = (n) => {
    let a = answers.get(n);
    if (a === undefined) answers.set(n, (a = Buffer.from(`{"took":1,"errors":false,"items":[${new Array(n).fill(ITEM).join(',')}]}`)));
    return a;
  };
  const server = createServer((req, res) => {
    stats.requests++;
    if (String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/')) stats.signed++;
    let lines = 0;
    req.on('data', (d) => { stats.wireBytes += d.length; });
    const text = req.headers['content-encoding'] === 'gzip' ? req.pipe(createGunzip({ chunkSize: 256 * 1024 })) : req;
    text.on('data', (d) => { for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++; });
    text.on('end', () => {
      const n = lines / 2;
      stats.docs += n;
      const body = answer(n);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    stats,
    reset() { Object.assign(stats, { docs: 0, requests: 0, wireBytes: 0, signed: 0 }); },
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * Start `wren run -c <config>` and leave it running (for inputs that never finish, like
 * forward): returns { child, exited (a promise of { code, report }) }; stop it with SIGTERM.
 */
export function startWrenProcess(yaml, { env = {}, dir = benchDir() } = {}) {
  const cfg = join(dir, 'bench.yaml');
  const reportFile = join(dir, 'report.json');
  writeFileSync(cfg, yaml);
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // WREN_ENTRY=src runs dist/src instead of the bundle (readable names in a --cpu-prof)
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'run', '-c', cfg], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_EC2_METADATA_DISABLED: 'true', WREN_RUN_REPORT: reportFile, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; if (stderr.length > 1e6) stderr = stderr.slice(-1e5); });
  const exited = new Promise((resolve, reject) => child.on('exit', (code) => {
    if (code !== 0) return reject(new Error(`wren exited ${code}:\n${stderr.slice(-3000)}`));
    resolve({ code, report: JSON.parse(readFileSync(reportFile, 'utf8')) });
  }));
  return { child, exited, stderr: () => stderr };
}
