// Start-up: how long `wren --version`, `wren check -c config/wren.yaml` and `wren run` (to the first
// record delivered to a loopback HTTP sink, with flush 50ms: records wait for the flush interval,
// as in Fluent Bit, so the default flush of 1 s adds up to 1 s on top of start-up) take, next to
// `node -e 0` on the same machine, with the CPU time and peak RSS of each. Targets (issue 10):
// --version ≤ 80 ms, check ≤ 200 ms, first record ≤ 300 ms. Wall times on a shared 2-core VM are noisy: the median and the minimum of many
// repetitions are reported; the minimum is the least disturbed.
// BENCH_REPS overrides the repetitions (default 30; run: a third of it). BENCH_CLI picks another
// entry point (e.g. a bundle) to compare.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchDir, CLI as DEFAULT_CLI, ROOT, WREN_ENV } from './lib.mjs';

const REPS = Number(process.env.BENCH_REPS ?? 30);
const CLI = process.env.BENCH_CLI ? resolve(ROOT, process.env.BENCH_CLI) : DEFAULT_CLI;
const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, ...WREN_ENV, AWS_EC2_METADATA_DISABLED: 'true' };

const stats = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return { median: a[a.length >> 1], min: a[0], p90: a[Math.min(a.length - 1, Math.floor(a.length * 0.9))] };
};

/** Run a command to completion `reps` times: wall ms (spawn to exit), CPU ms and peak RSS of the child. */
function timeCommand(name, args, reps = REPS) {
  const wall = [];
  const cpu = [];
  const rss = [];
  // GNU time is not everywhere: the child reports its own CPU and peak RSS at exit through -r
  const probe = join(benchDir('wren-bench-start-'), 'usage.cjs');
  writeFileSync(probe, "process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nUSAGE '+JSON.stringify({cpu:(u.userCPUTime+u.systemCPUTime)/1000,rss:u.maxRSS/1024})+'\\n')});\n");
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['-r', probe, ...args], { cwd: ROOT, env: ENV, encoding: 'utf8' });
    wall.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    const u = JSON.parse(/USAGE (.*)/.exec(r.stderr)[1]);
    cpu.push(u.cpu);
    rss.push(u.rss);
  }
  return line(name, stats(wall), stats(cpu), Math.max(...rss), reps);
}

function line(name, w, c, peakRss, reps) {
  const out = { scenario: `startup ${name}`, wall_ms_median: +w.median.toFixed(1), wall_ms_min: +w.min.toFixed(1), wall_ms_p90: +w.p90.toFixed(1), reps };
  if (Number.isFinite(c.median)) Object.assign(out, { cpu_ms_median: +c.median.toFixed(1), peak_rss_mb: Math.round(peakRss) });
  const usage = out.cpu_ms_median !== undefined ? `; CPU ${out.cpu_ms_median} ms; peak RSS ${out.peak_rss_mb} MB` : '';
  console.log(`${name.padEnd(34)} wall median ${out.wall_ms_median} ms, min ${out.wall_ms_min} ms, p90 ${out.wall_ms_p90} ms${usage} (${reps} runs)`);
  console.log(JSON.stringify(out));
  return out;
}

/** `wren run`: spawn to the first request at a loopback sink (tail reads a one-line file, http output). */
async function firstRecord(reps) {
  let got;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      got?.();
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const dir = benchDir('wren-bench-first-');
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  writeFileSync(join(logs, 'app.log'), '{"message":"hello"}\n');
  const cfg = join(dir, 'wren.yaml');
  writeFileSync(cfg, `service:
  flush: 50ms
  log_level: warn
pipeline:
  inputs:
    - name: tail
      path: ${logs}/*.log
      read_from_head: on
  outputs:
    - name: http
      match: '*'
      host: 127.0.0.1
      port: ${server.address().port}
      format: json_lines
`);
  const wall = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, 'run', '-c', cfg], { cwd: dir, env: ENV, stdio: 'ignore' });
    await new Promise((r) => (got = r));
    wall.push(performance.now() - t0);
    got = undefined;
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  }
  server.close();
  const w = stats(wall);
  return line('wren run → first record delivered', w, { median: NaN }, NaN, reps);
}

timeCommand('node -e 0', ['-e', '0']);
timeCommand('wren --version', [CLI, '--version']);
timeCommand('wren check -c config/wren.yaml', [CLI, 'check', '-c', join(ROOT, 'config', 'wren.yaml')]);
await firstRecord(Math.max(3, Math.round(REPS / 3)));
