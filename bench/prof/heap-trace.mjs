// RSS, V8's spaces and ArrayBuffers every 100 ms. Load into Wren with
//   BENCH_NODE_ARGS="--import=$PWD/bench/prof/heap-trace.mjs" npm run bench -- main
// At exit, appends to /tmp/wren-heap-trace.txt the sample at peak RSS, then the trace
// (ms: rss / heap total (new, old) / arrayBuffers, MB); the peak sample also splits RSS into
// anonymous and file-backed.
import { appendFileSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const t0 = Date.now();
const trace = [];
let peak = { rss: 0 };
setInterval(() => {
  const m = process.memoryUsage();
  const s = { rss: m.rss >> 20, ab: m.arrayBuffers >> 20, heap: m.heapTotal >> 20 };
  for (const sp of getHeapSpaceStatistics()) s[sp.space_name.replace('_space', '')] = +(sp.space_size / 1048576).toFixed(1);
  // RSS split: anonymous (heap, buffers, C) and file-backed (the node binary's pages)
  const st = readFileSync('/proc/self/status', 'utf8');
  for (const k of ['RssAnon', 'RssFile']) s[k] = Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)?.[1] ?? 0) >> 10;
  if (s.rss > peak.rss) peak = s;
  trace.push(`${Date.now() - t0}:${s.rss}/${s.heap}(n${s.new}o${s.old})/${s.ab}`);
}, 100).unref();
process.on('exit', () => appendFileSync('/tmp/wren-heap-trace.txt', `pid ${process.pid} at peak: ${JSON.stringify(peak)}\n${trace.join(' ')}\n\n`));
