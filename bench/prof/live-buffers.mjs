// Where the ArrayBuffers are at peak RSS. Load into Wren with
//   BENCH_NODE_ARGS="--import=$PWD/bench/prof/live-buffers.mjs" npm run bench -- main
// Buffers of 16 KiB or more made by Buffer.allocUnsafe / allocUnsafeSlow / alloc / concat / from
// are counted by call site until their wrapper is collected (so dead ones that wait for a full
// collection count too: that is what RSS holds). Every 50 ms, at a new RSS high, the table is
// kept; at exit it is appended to /tmp/wren-live-buffers.txt. Buffers Node makes in C++ (socket
// reads, zlib's output) are not seen; `concat` rows include the allocUnsafe inside them.
import { appendFileSync } from 'node:fs';

const MIN = 16 * 1024;
const live = new Map();
const gone = new FinalizationRegistry(({ site, n }) => live.set(site, live.get(site) - n));
const site = () => new Error().stack.split('\n').slice(3, 7).map((l) => l.trim().replace(/^at /, '').replace(/\(?file:\/\/\/[^ ]*\/(dist\/[^ ]*?:\d+):\d+\)?/, '$1')).join(' < ');
for (const name of ['allocUnsafe', 'allocUnsafeSlow', 'alloc', 'concat', 'from']) {
  const made = Buffer[name];
  Buffer[name] = function (...args) {
    const buf = made.apply(this, args);
    if (buf && buf.byteLength >= MIN) {
      const s = site();
      live.set(s, (live.get(s) ?? 0) + buf.byteLength);
      gone.register(buf, { site: s, n: buf.byteLength });
    }
    return buf;
  };
}
let peak = 0;
let table = '';
setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss <= peak) return;
  peak = m.rss;
  const rows = [...live].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, 12);
  table = `rss ${m.rss >> 20} MB, arrayBuffers ${(m.arrayBuffers / 1048576).toFixed(1)} MB\n` + rows.map(([k, v]) => `${(v / 1048576).toFixed(1).padStart(6)} MB  ${k}`).join('\n');
}, 50).unref();
process.on('exit', () => appendFileSync('/tmp/wren-live-buffers.txt', `pid ${process.pid}, at peak RSS:\n${table}\n\n`));
