import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/**
 * Runs Wren's container image with podman for test/image (scripts/test-image.sh builds the image
 * and sets WREN_TEST_IMAGE and WREN_TEST_PODMAN, the podman command line, one word a line).
 * Every container gets the loopback guard (the same preload as test/helpers/cli.ts, mounted
 * read-only and loaded through NODE_OPTIONS), so the rule holds inside the image as well.
 */

export const IMAGE = process.env.WREN_TEST_IMAGE ?? '';
const PODMAN = (process.env.WREN_TEST_PODMAN ?? 'podman').split('\n').filter((w) => w !== '');
const GUARD_DIR = join(ROOT, 'test', 'helpers');
const GUARD_ARGS = ['-v', `${GUARD_DIR}:/wren-test/guard:ro`, '-e', 'NODE_OPTIONS=--import=/wren-test/guard/loopback-guard-preload.mjs'];

/** A podman command to completion (inspect, kill, rm…). */
export function podman(args: string[], timeoutMs = 60_000): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(PODMAN[0]!, [...PODMAN.slice(1), ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw new Error(`podman ${args[0]}: ${r.error.message}`);
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export interface Container {
  name: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number>;
  /** Resolves when stderr (Wren's JSON log lines) matches. */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<void>;
}

let seq = 0;

/** `podman run --rm` of IMAGE in the foreground: `opts` before the image, `args` after it (Wren's). */
export function runContainer(opts: string[], args: string[]): Container {
  const name = `wren-image-test-${process.pid}-${++seq}`;
  const child = spawn(PODMAN[0]!, [...PODMAN.slice(1), 'run', '--rm', '--name', name, '--network', 'host', ...GUARD_ARGS, ...opts, IMAGE, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<{ re: RegExp; done: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of [...waiters]) if (w.re.test(err)) { waiters.splice(waiters.indexOf(w), 1); w.done(); }
  });
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 128)));
  return {
    name,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStderr: (re, timeoutMs = 30_000) => re.test(err) ? Promise.resolve() : new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no stderr line matching ${re} within ${timeoutMs} ms:\n${err}`)), timeoutMs);
      waiters.push({ re, done: () => { clearTimeout(t); resolve(); } });
    }),
  };
}

/** Run a container to its end; kills it after `timeoutMs`. */
export async function runToEnd(opts: string[], args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = runContainer(opts, args);
  const t = setTimeout(() => podman(['kill', c.name]), timeoutMs);
  const code = await c.exited;
  clearTimeout(t);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** Wait until `check` holds, polling; for outcomes (records delivered, files written), never a fixed sleep. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
