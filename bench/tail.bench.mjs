// tail: 1,000,000 CRI lines (~200 bytes, JSON messages) → tail with multiline.parser cri → null.
// Three figures: the real CLI end to end (the target: ≥ 450,000 events/s, peak RSS < 150 MB),
// the tail input alone in-process (a stand-in engine that discards batches), and a bare Node loop
// (split, CRI prefix, JSON.parse of every message) as the floor to compare with.
// BENCH_LINES overrides the line count.
import { closeSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { benchDir, report, ROOT, runWren, tailConfig, writeCriFile } from './lib.mjs';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const dir = benchDir('wren-bench-tail-');
const { file, bytes } = writeCriFile(dir, LINES);
console.log(`file: ${LINES.toLocaleString('en-US')} CRI lines, ${(bytes / 1048576).toFixed(1)} MiB (${Math.round(bytes / LINES)} bytes/line)`);

// --- 1. the real CLI ------------------------------------------------------------------------------
const yaml = `${tailConfig(file, { memBufLimit: '32M' })}  outputs:
    - name: null
      match: '*'
`;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await runWren(yaml, { dir }));
if (runs.some((r) => r.records_out !== LINES)) throw new Error(`expected ${LINES} records out, got ${runs.map((r) => r.records_out)}`);
const byWall = [...runs].sort((a, b) => a.wall_ms - b.wall_ms);
const median = byWall[Math.floor(byWall.length / 2)];
report(`tail (cri) → null, wren run (median of ${RUNS})`, median, { events: LINES, bytes });
console.log(`  every run: ${runs.map((r) => `${Math.round(LINES / (r.wall_ms / 1000)).toLocaleString('en-US')}/s ${Math.round(r.max_rss_mb)} MB`).join(', ')}`);
console.log(`  the median run counted from process start (incl. ~0.5 s of Node start-up and module loading): ` +
  `${Math.round(LINES / (median.process_wall_ms / 1000)).toLocaleString('en-US')} events/s`);

// --- 2. the input alone, in-process ---------------------------------------------------------------
{
  const { tailInput } = await import(join(ROOT, 'dist/plugins/in_tail/index.js'));
  const { resolveOptions } = await import(join(ROOT, 'dist/src/config/options-resolve.js'));
  const { createLogger } = await import(join(ROOT, 'dist/src/log.js'));
  const pos = { file: 'bench', line: 1, col: 1 };
  const entries = Object.entries({ path: file, read_from_head: 'on', exit_on_eof: 'on', 'multiline.parser': 'cri' })
    .map(([key, value]) => ({ key, value, pos }));
  const { options } = resolveOptions({ kind: 'input', name: 'tail', entries, pos }, tailInput.options, 'tail');
  let events = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const ctx = {
    id: 'tail.0', options, tag: 'kube.*', baseDir: dir, signal: new AbortController().signal,
    log: createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() })),
    metrics: { add() {} },
    parsers: { get: () => undefined, names: () => [] },
    emit(batch, o) { events += batch.length; o?.onDone?.(); return true; },
    done: () => done(),
    isPaused: () => false,
  };
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const input = await tailInput.create(ctx);
  await input.start();
  await finished;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await input.stop();
  if (events !== LINES) throw new Error(`in-process: ${events} events`);
  report('tail (cri) input alone, in-process', { cpu_user_s: cpu.user / 1e6, cpu_system_s: cpu.system / 1e6, max_rss_mb: process.resourceUsage().maxRSS / 1024 },
    { events, bytes, wallMs: ms });
}

// --- 3. a bare loop: read, split, CRI prefix, JSON.parse each message ------------------------------
{
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let carry = Buffer.alloc(0);
  let n = 0;
  let pos = 0;
  for (;;) {
    carry.copy(buf, 0);
    const r = readSync(fd, buf, carry.length, buf.length - carry.length, pos);
    if (r === 0) break;
    pos += r;
    const view = buf.subarray(0, carry.length + r);
    let s = 0;
    for (let nl = view.indexOf(10, s); nl >= 0; nl = view.indexOf(10, s)) {
      const sp1 = view.indexOf(32, s);
      const ts = view.toString('latin1', s, sp1);
      const stream = view.toString('latin1', sp1 + 1, sp1 + 7);
      const rec = JSON.parse(view.toString('utf8', sp1 + 10, nl));
      if (ts && stream && rec) n++;
      s = nl + 1;
    }
    carry = Buffer.from(view.subarray(s));
  }
  closeSync(fd);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  report('bare loop (split + CRI prefix + JSON.parse), in-process', { cpu_user_s: cpu.user / 1e6, cpu_system_s: cpu.system / 1e6, max_rss_mb: process.resourceUsage().maxRSS / 1024 },
    { events: n, bytes, wallMs: ms });
}

rmSync(dir, { recursive: true, force: true });
