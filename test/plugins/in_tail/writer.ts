import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A separate process that appends numbered lines to a file, as an application does, so the
 * rotation tests race a real writer. It keeps its file open (O_APPEND) and reopens it on
 * SIGUSR1 (what a runtime does after kubelet or logrotate renamed the file). It writes `total`
 * lines in bursts of `burst` lines every `everyMs`, then exits.
 */
const SCRIPT = `
const fs = require('node:fs');
const [path, total, burst, every] = process.argv.slice(1);
let fd = fs.openSync(path, 'a');
let i = 0;
process.on('SIGUSR1', () => { fs.closeSync(fd); fd = fs.openSync(path, 'a'); });
const pad = 'x'.repeat(60);
const t = setInterval(() => {
  for (let k = 0; k < Number(burst) && i < Number(total); k++, i++) fs.writeSync(fd, 'line ' + i + ' ' + pad + '\\n');
  if (i >= Number(total)) { clearInterval(t); fs.closeSync(fd); process.exit(0); }
}, Number(every));
`;

export class Writer {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(path: string, readonly total: number, burst = 5, everyMs = 2) {
    this.child = spawn(process.execPath, ['-e', SCRIPT, path, String(total), String(burst), String(everyMs)], { stdio: 'ignore' });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  reopen(): void {
    this.child.kill('SIGUSR1');
  }

  pause(): void {
    this.child.kill('SIGSTOP');
  }

  cont(): void {
    this.child.kill('SIGCONT');
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Check that `lines` holds `line 0` … `line <n-1>` exactly once each; returns problems found. */
export function checkExactlyOnce(lines: unknown[], n: number): { missing: number[]; duplicated: number[] } {
  const seen = new Map<number, number>();
  for (const l of lines) {
    const m = /^line (\d+) x+$/.exec(String(l));
    if (!m) throw new Error(`unexpected line ${JSON.stringify(String(l).slice(0, 80))}`);
    const k = Number(m[1]);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const missing: number[] = [];
  const duplicated: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = seen.get(i) ?? 0;
    if (c === 0) missing.push(i);
    if (c > 1) duplicated.push(i);
  }
  return { missing, duplicated };
}
