import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Drives the built CLI as a process, the way a user runs it: the `wren` bin (dist/src/bin.cjs), which runs the bundle, with the environment the `wren` command gives it. */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'bin.cjs');
/** Refuses non-loopback connections inside the CLI processes tests start (see loopback-guard.mjs). */
const GUARD = join(ROOT, 'test', 'helpers', 'loopback-guard-preload.mjs');

/**
 * What the `wren` command's shell line (bin/wren.cjs) gives Node before it starts, as the image
 * does: the CLI processes tests start run with it, as users' do.
 */
export const WREN_COMMAND_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  [...readFileSync(join(ROOT, 'bin', 'wren.cjs'), 'utf8').split('\n')[1]!.matchAll(/export (MALLOC_\w+)=(\S+?);/g)].map((m) => [m[1]!, m[2]!]),
);

/** A base environment for Wren child processes: nothing from the developer's AWS setup, IMDS off. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...WREN_COMMAND_ENV, AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/wren-test/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/wren-test/aws-credentials' };
  return { ...env, ...extra };
}

export function tempDir(prefix = 'wren-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write a config file into a fresh temp dir; returns its path. */
export function writeConfig(yaml: string, dir = tempDir(), name = 'wren.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

export interface WrenProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Wren's own JSON log lines from stderr. */
  logs(): Array<Record<string, unknown>>;
  exited: Promise<number>;
  /** Resolves when a stderr log line matches. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * `wrap`: a command that runs Wren's node process (it gets node and its arguments after its own),
 * e.g. `['unshare', '-rm', 'sh', '-c', 'mount … && exec "$0" "$@"']`; the loopback guard stays on.
 */
export function startWren(args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string; wrap?: string[] } = {}): WrenProcess {
  const argv = [process.execPath, '--import', GUARD, CLI, ...args];
  const [cmd, ...rest] = opts.wrap ? [...opts.wrap, ...argv] : argv;
  const child = spawn(cmd!, rest, { env: childEnv(opts.env), cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers: Array<{ re: RegExp; resolve: (l: Record<string, unknown>) => void }> = [];
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of [...watchers]) {
      const hit = parseLogs(err).find((l) => w.re.test(String(l.msg)));
      if (hit) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  });
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  const exited = new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () => parseLogs(err),
    exited,
    kill: (s = 'SIGTERM') => child.kill(s),
    waitForLog: (re, timeoutMs = 10_000) => {
      const hit = parseLogs(err).find((l) => re.test(String(l.msg)));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no log line matching ${re} within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
        watchers.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
      });
    },
  };
}

/** Run to completion. */
export async function runWren(args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = startWren(args, opts);
  const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

function parseLogs(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a partial line
    }
  }
  return out;
}

/** A free loopback TCP port (bound then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
