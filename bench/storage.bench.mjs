// Filesystem buffering's cost: tail → opensearch (gzip, SigV4) → a loopback _bulk sink, with the
// tail input on `storage.type memory` and on `storage.type filesystem` (chunk files under
// storage.path, storage.sync normal, CRC32 checksums on), runs interleaved so that both see the
// same machine. Target: filesystem within 20% of memory's events/s; the extra CPU is reported.
// BENCH_LINES (default 1,000,000), BENCH_RUNS (default 3, median reported).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, EXAMPLE_KEYS_ENV, opensearchOutputs, report, runWren, startBulkSink, tailConfig, writeCriFile } from './lib.mjs';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dir = benchDir('wren-bench-storage-');
const { file, bytes } = writeCriFile(dir, LINES);
const sink = await startBulkSink();
const env = EXAMPLE_KEYS_ENV;

function yaml(storage) {
  const base = tailConfig(file, { tag: 'kube.*', memBufLimit: '5M' });
  const svc = storage ? base.replace('service:\n', `service:\n  storage.path: ${join(dir, 'storage')}\n`) : base;
  return `${storage ? svc.replace('      mem_buf_limit: 5M\n', '      mem_buf_limit: 5M\n      storage.type: filesystem\n') : svc}${opensearchOutputs(sink.port)}`;
}

const runs = { memory: [], filesystem: [] };
for (let i = 0; i < RUNS; i++) {
  for (const kind of ['memory', 'filesystem']) {
    rmSync(join(dir, 'storage'), { recursive: true, force: true });
    sink.reset();
    const r = await runWren(yaml(kind === 'filesystem'), { dir, env });
    if (sink.stats.docs !== LINES) throw new Error(`${kind}: expected ${LINES} documents, the sink got ${sink.stats.docs}`);
    runs[kind].push(r);
  }
}
await sink.close();
rmSync(dir, { recursive: true, force: true });
const median = (rs) => [...rs].sort((a, b) => a.wall_ms - b.wall_ms)[Math.floor(rs.length / 2)];
const mem = report(`tail → opensearch, storage.type memory, median of ${RUNS}`, median(runs.memory), { events: LINES, bytes });
const fs = report(`tail → opensearch, storage.type filesystem, median of ${RUNS}`, median(runs.filesystem), { events: LINES, bytes });
console.log(`filesystem vs memory: ${((fs.events_per_s / mem.events_per_s) * 100).toFixed(0)}% of the events/s, ${(fs.cpu_s - mem.cpu_s).toFixed(2)} CPU s more (${(((fs.cpu_s - mem.cpu_s) / mem.cpu_s) * 100).toFixed(0)}%), peak RSS ${fs.peak_rss_mb} vs ${mem.peak_rss_mb} MB`);
