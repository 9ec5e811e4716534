import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProxy, TestProxyOptions } from './test-proxy.js';

/**
 * A real tinyproxy (Debian package `tinyproxy`) on a free loopback port, with a generated config:
 * Listen/Allow 127.0.0.1, no upstream, a log file in a temp dir. Tests read the log to prove which
 * requests went through the proxy (and which never did). Only the extra layer that .ci/run turns on
 * (WREN_TEST_TINYPROXY=1) uses it; the normal suite runs the same tests against `proxy` from npm.
 */
export interface TinyproxyOptions extends TestProxyOptions {
  /** Restrict CONNECT to these ports (default: any port). */
  connectPorts?: number[];
}

export function tinyproxyBinary(): string {
  for (const p of ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v tinyproxy'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (which.status === 0 && found) return found;
  throw new Error('tinyproxy is not installed, and WREN_TEST_TINYPROXY=1 asks for the tinyproxy test layer (Debian package `tinyproxy`: apt-get install -y tinyproxy; or unset WREN_TEST_TINYPROXY)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function launch(bin: string, opts: TinyproxyOptions): Promise<TestProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'wren-tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const lines = [
    `Port ${port}`, 'Listen 127.0.0.1', 'Timeout 30', `LogFile "${logFile}"`, 'LogLevel Info',
    'MaxClients 64', 'Allow 127.0.0.1', 'DisableViaHeader Yes', `PidFile "${join(dir, 'pid')}"`,
    // No User/Group: as root tinyproxy warns and keeps the current user instead of failing.
    ...(opts.connectPorts ?? []).map((p) => `ConnectPort ${p}`),
    ...(opts.basicAuth ? [`BasicAuth ${opts.basicAuth.user} ${opts.basicAuth.pass}`] : []),
  ];
  const conf = join(dir, 'tinyproxy.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn(bin, ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`tinyproxy did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const read = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const auth = opts.basicAuth ? `${encodeURIComponent(opts.basicAuth.user)}:${encodeURIComponent(opts.basicAuth.pass)}@` : '';
  const requests = () => [...read().matchAll(/Request \(file descriptor \d+\): (\S+) (\S+)/g)]
    .map((m) => ({ method: m[1]!, target: m[2]! }));
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    port,
    log: read,
    requests,
    saw: (hostPort) => requests().some((r) => r.target === hostPort || r.target.startsWith(`http://${hostPort}/`)),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Start tinyproxy; retried on a port race. */
export async function startTinyproxy(opts: TinyproxyOptions = {}): Promise<TestProxy> {
  const bin = tinyproxyBinary();
  let last: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      return await launch(bin, opts);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}
