import net from 'node:net';

/**
 * The last line of the loopback-only rule: every TCP connection a test process opens goes
 * through net.Socket#connect, and this refuses any whose host is not loopback before a packet
 * leaves (no DNS lookup either). Tests already point every endpoint at loopback fakes; this
 * turns a mistake (a provider falling through to 169.254.169.254, a proxy env var left set)
 * into an immediate ECONNREFUSED-like error instead of traffic. test/setup.ts installs it in
 * every test process; the CLI processes that end-to-end tests start load it with
 * `--import test/helpers/loopback-guard-preload.mjs` (test/helpers/cli.ts). Plain JavaScript,
 * so that those processes can load it as it is.
 */

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', '::1', '0:0:0:0:0:0:0:1', '[::1]']);

/** True when `host` names this machine: localhost, 127.0.0.0/8, ::1 (also v4-mapped). */
export function isLoopbackHost(host) {
  const h = host.toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

/** The host a Socket#connect call would dial, or undefined for a Unix socket / pipe. */
export function connectTarget(args) {
  let a = args[0];
  if (Array.isArray(a)) a = a[0]; // net's internal normalized form: [options, cb]
  if (a !== null && typeof a === 'object') {
    const o = a;
    if (typeof o.path === 'string' && o.path !== '') return undefined;
    return typeof o.host === 'string' && o.host !== '' ? o.host : 'localhost';
  }
  if (typeof a === 'string' && !/^\d+$/.test(a)) return undefined; // a path
  return typeof args[1] === 'string' && args[1] !== '' ? args[1] : 'localhost';
}

let installed = false;

export function installLoopbackGuard() {
  if (installed) return;
  installed = true;
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guarded(...args) {
    const host = connectTarget(args);
    if (host !== undefined && !isLoopbackHost(host)) {
      const err = Object.assign(new Error(`test loopback guard: refused a connection to ${host} (tests talk to 127.0.0.1 / ::1 only)`), { code: 'ECONNREFUSED' });
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return connect.apply(this, args);
  };
}
