// tail → s3 (gzip, SigV4, staged in store_dir) to a loopback S3 sink that gunzips each PutObject
// and counts the lines: events/s, CPU s, peak RSS. BENCH_LINES (default 300,000) and BENCH_RUNS
// (default 3, median reported) override.
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { benchDir, EXAMPLE_KEYS_ENV, report, runWren, tailConfig, writeCriFile } from './lib.mjs';

const LINES = Number(process.env.BENCH_LINES ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dir = benchDir('wren-bench-s3-');
const { file, bytes } = writeCriFile(dir, LINES);
console.log(`file: ${LINES.toLocaleString('en-US')} CRI lines, ${(bytes / 1048576).toFixed(1)} MiB`);
const env = { ...EXAMPLE_KEYS_ENV, AWS_REGION: 'us-east-1' };

let records = 0;
let objects = 0;
let wire = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    const b = Buffer.concat(chunks);
    wire += b.length;
    if (req.method === 'PUT') {
      const text = gunzipSync(b);
      for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) records++;
      objects++;
    }
    res.writeHead(200, { etag: '"x"' }).end();
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const runs = [];
for (let i = 0; i < RUNS; i++) {
  records = 0; objects = 0; wire = 0;
  const store = join(dir, `store-${i}`);
  const yaml = `${tailConfig(file, { tag: 'kube.*', memBufLimit: '5M' })}  outputs:
    - name: s3
      match: '*'
      bucket: logs
      endpoint: http://127.0.0.1:${port}
      compression: gzip
      upload_chunk_size: 20M
      store_dir: ${store}
      s3_key_format: /bench/$TAG[0]/$UUID.gz
`;
  const r = await runWren(yaml, { dir, env });
  if (r.records_out !== LINES || records !== LINES) throw new Error(`expected ${LINES} records, wren says ${r.records_out}, the sink got ${records}`);
  runs.push({ ...r, objects, wire });
}
server.close();
rmSync(dir, { recursive: true, force: true });
const median = [...runs].sort((a, b) => a.wall_ms - b.wall_ms)[Math.floor(runs.length / 2)];
report(`tail → s3 (gzip, staged in store_dir, SigV4), median of ${RUNS}`, median, { events: LINES, bytes });
console.log(`  ${Math.round(LINES / (median.cpu_user_s + median.cpu_system_s)).toLocaleString('en-US')} events per CPU second; ${median.objects} objects, ${(median.wire / 1048576).toFixed(1)} MiB gzip on the wire`);
