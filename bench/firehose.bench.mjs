// tail → kinesis_firehose (SigV4), with and without simple_aggregation, next to tail → opensearch
// (gzip, SigV4), each to a loopback sink, on the same file: events/s, CPU s, events per CPU second,
// peak RSS. No filters, so the figures compare the output paths (encode → batch → sign → send):
// Firehose base64-encodes each record into PutRecordBatch bodies of at most 500 records (the
// service's cap: 20x the calls of OpenSearch's 5 MB _bulk bodies, ~1.4x the record bytes on the
// wire, uncompressed), OpenSearch gzips NDJSON on the thread pool.
// BENCH_LINES (default 300,000) and BENCH_RUNS (default 5, median by CPU reported) override.
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { benchDir, EXAMPLE_KEYS_ENV, opensearchOutputs, report, runWren, tailConfig, writeCriFile } from './lib.mjs';

const LINES = Number(process.env.BENCH_LINES ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = benchDir('wren-bench-firehose-');
const { file, bytes } = writeCriFile(dir, LINES);
console.log(`file: ${LINES.toLocaleString('en-US')} CRI lines, ${(bytes / 1048576).toFixed(1)} MiB`);
const env = { ...EXAMPLE_KEYS_ENV, AWS_REGION: 'us-east-1' };

let records = 0;
const DATA = Buffer.from('"Data":"');
const server = createServer((req, res) => {
  const gz = req.headers['content-encoding'] === 'gzip';
  const firehose = String(req.headers['x-amz-target'] ?? '').startsWith('Firehose_');
  const body = gz ? req.pipe(createGunzip({ chunkSize: 256 * 1024 })) : req;
  const chunks = [];
  body.on('data', (d) => chunks.push(d));
  body.on('end', () => {
    const b = Buffer.concat(chunks);
    let n = 0;
    if (firehose) {
      for (let i = b.indexOf(DATA); i !== -1; i = b.indexOf(DATA, i + 8)) {
        n++;
        // a simple_aggregation record holds several newline-ended records: count them
        const end = b.indexOf(34, i + 8);
        const text = Buffer.from(b.toString('latin1', i + 8, end), 'base64');
        for (let j = text.indexOf(10); j !== -1; j = text.indexOf(10, j + 1)) records++;
      }
      const answer = `{"FailedPutCount":0,"Encrypted":false,"RequestResponses":[${new Array(n).fill('{"RecordId":"r"}').join(',')}]}`;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(answer);
    } else {
      for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
      records += n / 2;
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"took":1,"errors":false,"items":[${new Array(n / 2).fill('{"create":{"status":201}}').join(',')}]}`);
    }
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const outputs = {
  opensearch: opensearchOutputs(port),
  kinesis_firehose: `  outputs:
    - name: kinesis_firehose
      match: '*'
      delivery_stream: logs
      endpoint: http://127.0.0.1:${port}
`,
  'kinesis_firehose simple_aggregation': `  outputs:
    - name: kinesis_firehose
      match: '*'
      delivery_stream: logs
      endpoint: http://127.0.0.1:${port}
      simple_aggregation: on
`,
};

// runs alternate between the two outputs, so a change in the machine's load hits both alike
const runs = Object.fromEntries(Object.keys(outputs).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, out] of Object.entries(outputs)) {
    const yaml = `${tailConfig(file, { tag: 'kube.*', memBufLimit: '5M' })}${out}`;
    records = 0;
    const cpu0 = process.cpuUsage();
    const r = await runWren(yaml, { dir, env });
    const fake = process.cpuUsage(cpu0);
    r.sink_cpu_s = (fake.user + fake.system) / 1e6;
    if (r.records_out !== LINES || records !== LINES) throw new Error(`${name}: expected ${LINES} records, wren says ${r.records_out}, the sink got ${records}`);
    runs[name].push(r);
  }
}
const results = {};
for (const name of Object.keys(outputs)) {
  const byCpu = [...runs[name]].sort((a, b) => a.cpu_user_s + a.cpu_system_s - (b.cpu_user_s + b.cpu_system_s));
  const median = byCpu[Math.floor(byCpu.length / 2)];
  results[name] = report(`tail → ${name}, median (by CPU) of ${RUNS}`, median, { events: LINES, bytes });
  console.log(`  ${Math.round(LINES / results[name].cpu_s).toLocaleString('en-US')} events per CPU second; every run (user+sys CPU s): ${runs[name].map((r) => `${r.cpu_user_s.toFixed(2)}+${r.cpu_system_s.toFixed(2)}`).join(", ")}; the sink's CPU s: ${runs[name].map((r) => r.sink_cpu_s.toFixed(2)).join(", ")}`);
}
server.close();
rmSync(dir, { recursive: true, force: true });
// Also per round: run i of each output against run i of opensearch (minutes apart at most), so
// that a slow or fast stretch of this shared machine weighs on both sides of each ratio.
const cpuOf = (r) => r.cpu_user_s + r.cpu_system_s;
for (const name of ['kinesis_firehose', 'kinesis_firehose simple_aggregation']) {
  const ratio = results.opensearch.cpu_s / results[name].cpu_s;
  const paired = runs[name].map((r, i) => cpuOf(runs.opensearch[i]) / cpuOf(r)).sort((a, b) => a - b);
  const mid = paired[Math.floor(paired.length / 2)];
  console.log(`${name} / opensearch, events per CPU second: ${ratio.toFixed(2)}x; run by run: median ${mid.toFixed(3)}x (${paired[0].toFixed(3)}-${paired.at(-1).toFixed(3)}) (the machine is shared: compare within one run)`);
}
