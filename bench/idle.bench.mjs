// Idle memory: `wren run` with one tail input on an empty folder and the null output, RSS read
// from /proc after 10 s (issue 10: ≤ 50 MB; Fluent Bit idles at ~10 MB), with the CPU time the
// idle process used. Also: the same with http_server on (what a DaemonSet with probes runs).
// BENCH_IDLE_S overrides the 10 s; BENCH_CLI picks another entry point (e.g. a bundle).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchDir, CLI as DEFAULT_CLI, ROOT, WREN_ENV } from './lib.mjs';

const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 10);
const CLI = process.env.BENCH_CLI ? resolve(ROOT, process.env.BENCH_CLI) : DEFAULT_CLI;

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

function procCpuMs(pid) {
  // utime + stime, in clock ticks (100 per second on Linux)
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function idle(name, service) {
  const dir = benchDir('wren-bench-idle-');
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const cfg = join(dir, 'wren.yaml');
  writeFileSync(cfg, `service:
  log_level: warn
${service}pipeline:
  inputs:
    - name: tail
      path: ${logs}/*.log
  outputs:
    - name: null
      match: '*'
`);
  const child = spawn(process.execPath, [CLI, 'run', '-c', cfg], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...WREN_ENV, AWS_EC2_METADATA_DISABLED: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.on('exit', r));
  // CPU is counted over the second half only, once start-up is well over
  await new Promise((r) => setTimeout(r, (IDLE_S * 1000) / 2));
  const cpu1 = procCpuMs(child.pid);
  await new Promise((r) => setTimeout(r, (IDLE_S * 1000) / 2));
  if (child.exitCode !== null) throw new Error(`wren exited early: ${stderr}`);
  const m = procStatus(child.pid);
  const cpuIdle = procCpuMs(child.pid) - cpu1;
  child.kill('SIGTERM');
  await exited;
  const out = { scenario: `idle ${name}`, after_s: IDLE_S, rss_mb: +m.rss.toFixed(1), peak_rss_mb: +m.hwm.toFixed(1), idle_cpu_ms: cpuIdle };
  console.log(`idle ${name}: RSS ${out.rss_mb} MB after ${IDLE_S} s (peak ${out.peak_rss_mb} MB), ${cpuIdle} ms CPU over the last ${IDLE_S / 2} s`);
  console.log(JSON.stringify(out));
}

await idle('tail (empty folder) → null', '');
await idle('tail (empty folder) → null, http_server on', '  http_server: on\n  http_port: 0\n  health_check: on\n');
