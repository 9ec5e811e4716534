// forward input scenarios: 1,000,000 FireLens/Docker-shaped records sent as PackedForward chunks
// (1,000 entries each, EventTime, `chunk` acks, up to 8 chunks awaiting their ack) over loopback
// TCP, into (a) the null output and (b) opensearch (gzip, SigV4) → a loopback `_bulk` sink.
// The sender runs in this process and shares the two cores with Wren (as the main bench's sink).
// Timed from the first byte sent to the last record stored (null: last ack; opensearch: last
// document at the sink); CPU s are Wren's whole run (start-up included). Peak RSS is Wren's
// VmHWM read just before it is stopped (all records stored or delivered by then): the run
// report's maxRSS would include this process's own size when it forked Wren (Linux carries
// the forking process's high-water mark across exec), and this process holds the encoded chunks.
// BENCH_EVENTS overrides the count; BENCH_RUNS the runs (median reported); BENCH_MEM_BUF the
// forward input's mem_buf_limit (default 5M); BENCH_ONLY=null|opensearch runs one scenario.
import { connect } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { Packr, Unpackr } from 'msgpackr';
import { benchDir, EXAMPLE_KEYS_ENV, opensearchOutputs, report, startBulkSink, startWrenProcess } from './lib.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_CHUNK = 1000;
const IN_FLIGHT = 8;
const MEM_BUF = process.env.BENCH_MEM_BUF ?? '5M';

// Pre-encode the chunks: the sender costs little CPU during the run.
const packr = new Packr({ useRecords: false });
const eventTime = (sec, nsec) => {
  const b = Buffer.alloc(10);
  b[0] = 0xd7; b[1] = 0; b.writeUInt32BE(sec, 2); b.writeUInt32BE(nsec, 6);
  return b;
};
const ID = 'c7'.repeat(32);
const paths = ['/v1/checkout', '/v1/cart', '/v1/items/8812', '/healthz', '/v1/orders'];
function chunkFrame(c) {
  const parts = [];
  for (let j = 0; j < PER_CHUNK; j++) {
    const i = c * PER_CHUNK + j;
    const log = `{"level":"info","msg":"request completed","method":"GET","path":"${paths[i % 5]}","status":200,"duration_ms":${i % 97},"trace_id":"${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}4bf92f3577b34da6"}`;
    parts.push(Buffer.from([0x92]), eventTime(1710406800 + (i >> 10), (i * 7919) % 1e9), packr.pack({ container_id: ID, container_name: '/ecs-web-1', source: i % 10 === 9 ? 'stderr' : 'stdout', log }));
  }
  const entries = Buffer.concat(parts);
  return packr.pack(['web-firelens-0f1e2d3c', entries, { size: PER_CHUNK, chunk: `chunk-${c}` }]);
}
const CHUNKS = Math.ceil(EVENTS / PER_CHUNK);
const frames = Array.from({ length: CHUNKS }, (_, c) => chunkFrame(c));
const wireBytes = frames.reduce((a, f) => a + f.length, 0);
console.log(`${(CHUNKS * PER_CHUNK).toLocaleString('en-US')} records in ${CHUNKS} PackedForward chunks, ${(wireBytes / 1048576).toFixed(1)} MiB msgpack`);

async function connectRetry(port) {
  for (let i = 0; ; i++) {
    try {
      return await new Promise((ok, fail) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => ok(s));
        s.once('error', fail);
      });
    } catch (err) {
      if (i > 600) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Send every chunk, at most IN_FLIGHT unacknowledged; resolves { startedAt, ackedAt }. */
async function send(port) {
  const s = await connectRetry(port);
  s.setNoDelay(true);
  const unpackr = new Unpackr({ useRecords: false });
  let next = 0;
  let acked = 0;
  let held = Buffer.alloc(0);
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const pump = () => {
      while (next < CHUNKS && next - acked < IN_FLIGHT) s.write(frames[next++]);
    };
    s.on('data', (d) => {
      held = held.length ? Buffer.concat([held, d]) : d;
      const acks = unpackr.unpackMultiple(held); // acks are tiny and arrive whole
      held = Buffer.alloc(0);
      acked += acks.length;
      if (acked === CHUNKS) {
        const ackedAt = performance.now();
        s.end();
        resolve({ startedAt, ackedAt });
      } else pump();
    });
    s.on('error', reject);
    pump();
  });
}

const head = (port) => `service:
  flush: 200ms
  log_level: warn
pipeline:
  inputs:
    - name: forward
      listen: 127.0.0.1
      port: ${port}
      mem_buf_limit: ${MEM_BUF}
`;

async function scenario(name, outputs, { sink, env } = {}) {
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const dir = benchDir('wren-bench-fwd-');
    const port = 20000 + Math.floor(Math.random() * 20000);
    sink?.reset();
    const w = startWrenProcess(head(port) + outputs, { dir, env });
    const { startedAt, ackedAt } = await send(port);
    let doneAt = ackedAt;
    if (sink) {
      while (sink.stats.docs < CHUNKS * PER_CHUNK) await new Promise((res) => setTimeout(res, 5));
      doneAt = performance.now();
    }
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${w.child.pid}/status`, 'utf8'));
    w.child.kill('SIGTERM');
    const { report: rep } = await w.exited;
    rep.max_rss_mb = Number(hwm[1]) / 1024;
    rmSync(dir, { recursive: true, force: true });
    if (rep.records_out !== CHUNKS * PER_CHUNK) throw new Error(`${name}: expected ${CHUNKS * PER_CHUNK} records out, wren says ${rep.records_out}`);
    if (sink && sink.stats.signed !== sink.stats.requests) throw new Error(`${sink.stats.requests - sink.stats.signed} requests were not signed`);
    runs.push({ ...rep, wall_ms: doneAt - startedAt });
  }
  const byWall = [...runs].sort((a, b) => a.wall_ms - b.wall_ms);
  const median = byWall[Math.floor(byWall.length / 2)];
  report(`${name}, median of ${RUNS}`, median, { events: CHUNKS * PER_CHUNK, bytes: wireBytes });
  console.log(`  every run: ${runs.map((x) => `${Math.round((CHUNKS * PER_CHUNK) / (x.wall_ms / 1000)).toLocaleString('en-US')}/s, ${Math.round(x.max_rss_mb)} MB`).join('; ')}`);
}

if (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === 'null') await scenario('forward (PackedForward, acks) → null', `  outputs:
    - name: 'null'
      match: '*'
`);

if (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === 'opensearch') {
const sink = await startBulkSink();
await scenario('forward (PackedForward, acks) → opensearch (gzip, SigV4)', opensearchOutputs(sink.port), { sink, env: EXAMPLE_KEYS_ENV });
await sink.close();
}
