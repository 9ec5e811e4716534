// Engine throughput: dummy (large rate, many samples) → null, and → http to a loopback server.
import { createServer } from 'node:http';
import { report, runWren } from './lib.mjs';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000_000);
const RECORD = '{"message":"GET /api/v1/items 200 12ms","level":"info","service":"shop","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}';

const dummy = `
    - name: dummy
      dummy: '${RECORD}'
      rate: 10000000
      samples: ${SAMPLES}`;

const nullRun = await runWren(`service:
  flush: 200ms
  log_level: warn
pipeline:
  inputs:${dummy}
  outputs:
    - name: null
      match: '*'
`);
report('dummy → null', nullRun);

// a loopback sink that reads and counts every body
let received = 0;
let bodies = 0;
const server = createServer((req, res) => {
  req.on('data', (d) => { received += d.length; });
  req.on('end', () => { bodies++; res.writeHead(200).end(); });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
for (const [label, extra] of [['json_lines', ''], ['json_lines + gzip', '\n      compress: gzip']]) {
  received = 0;
  bodies = 0;
  const r = await runWren(`service:
  flush: 200ms
  log_level: warn
pipeline:
  inputs:${dummy}
  outputs:
    - name: http
      match: '*'
      port: ${port}
      format: json_lines
      workers: 2${extra}
`);
  report(`dummy → http (${label})`, r);
  console.log(`  sink received ${bodies} requests, ${(received / 1048576).toFixed(1)} MiB`);
}
server.close();
