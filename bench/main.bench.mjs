// The main scenario: 1,000,000 CRI lines → tail (multiline.parser cri) → kubernetes → opensearch
// (gzip, SigV4 with static example keys) → a loopback sink that answers like `_bulk`.
// Target: ≥ 200,000 events/s with peak RSS < 250 MB on 2 cores (Fluent Bit 5.1: ~92,000 here).
// The sink runs in this process (it shares the machine's two cores with Wren, as a real
// destination would not): it gunzips each body, counts the documents and answers every item.
// BENCH_LINES overrides the line count; BENCH_RUNS the number of runs (median reported);
// BENCH_MEM_BUF the tail mem_buf_limit (default 5M, as in Fluent Bit's Kubernetes DaemonSet config).
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { benchDir, EXAMPLE_KEYS_ENV, opensearchOutputs, report, runWren, tailConfig, writeCriFile } from './lib.mjs';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dir = benchDir('wren-bench-main-');
const { file, bytes } = writeCriFile(dir, LINES);
console.log(`file: ${LINES.toLocaleString('en-US')} CRI lines, ${(bytes / 1048576).toFixed(1)} MiB`);

let docs = 0;
let requests = 0;
let wireBytes = 0;
let signed = 0;
const ITEM = '{"create":{"_index":"logs","status":201}}';
const answers = new Map(); // n → the _bulk answer for n items (most requests have the same n)
const answer = (n) => {
  let a = answers.get(n);
  if (a === undefined) answers.set(n, (a = Buffer.from(`{"took":1,"errors":false,"items":[${new Array(n).fill(ITEM).join(',')}]}`)));
  return a;
};
/** Count NDJSON lines as the body streams in (gunzipped chunk by chunk, never held whole). */
const server = createServer((req, res) => {
  requests++;
  if (String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/')) signed++;
  let lines = 0;
  const count = (d) => {
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
  };
  req.on('data', (d) => { wireBytes += d.length; });
  const text = req.headers['content-encoding'] === 'gzip' ? req.pipe(createGunzip({ chunkSize: 256 * 1024 })) : req;
  text.on('data', count);
  text.on('end', () => {
    const n = lines / 2;
    docs += n;
    const body = answer(n);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const yaml = `${tailConfig(file, { tag: 'kube.*', memBufLimit: process.env.BENCH_MEM_BUF ?? '5M' })}  filters:
    - name: kubernetes
      match: kube.*
      use_tag_for_meta: on
${opensearchOutputs(port)}`;
const env = EXAMPLE_KEYS_ENV;
const runs = [];
for (let i = 0; i < RUNS; i++) {
  docs = 0; requests = 0; wireBytes = 0; signed = 0;
  const r = await runWren(yaml, { dir, env });
  if (r.records_out !== LINES || docs !== LINES) throw new Error(`expected ${LINES} documents, wren says ${r.records_out}, the sink got ${docs}`);
  if (signed !== requests) throw new Error(`${requests - signed} requests were not signed`);
  runs.push({ ...r, requests, wireBytes });
}
server.close();
rmSync(dir, { recursive: true, force: true });
const byWall = [...runs].sort((a, b) => a.wall_ms - b.wall_ms);
const median = byWall[Math.floor(byWall.length / 2)];
report(`tail → kubernetes → opensearch (gzip, SigV4), median of ${RUNS}`, median, { events: LINES, bytes });
console.log(`  every run: ${runs.map((r) => `${Math.round(LINES / (r.wall_ms / 1000)).toLocaleString('en-US')}/s, ${Math.round(r.max_rss_mb)} MB`).join('; ')}`);
console.log(`  ${median.requests} signed _bulk requests, ${(median.wireBytes / 1048576).toFixed(1)} MiB gzip on the wire`);
console.log(`  counted from process start (incl. Node start-up): ${Math.round(LINES / (median.process_wall_ms / 1000)).toLocaleString('en-US')} events/s`);
