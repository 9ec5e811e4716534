import { chmodSync, lstatSync, readFileSync, unlinkSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Server } from 'node:net';
import type { OptionSpec, PluginOptions } from '../config/types.js';
import { ConfigError, WrenError } from '../errors.js';

/** TLS keys of inputs that accept connections (forward, tcp, http), as Fluent Bit spells them. */
export const SERVER_TLS_OPTIONS: readonly OptionSpec[] = [
  { key: 'tls', type: 'bool', default: 'off', desc: 'Accept TLS connections only, with tls.crt_file and tls.key_file.' },
  { key: 'tls.crt_file', type: 'string', desc: 'PEM certificate (chain) this server presents.' },
  { key: 'tls.key_file', type: 'string', desc: 'PEM private key of tls.crt_file.' },
  { key: 'tls.key_passwd', type: 'string', secret: true, desc: 'Password of tls.key_file, if it is encrypted.' },
];

/** A server certificate and key, read at start-up. */
export interface ServerTls {
  cert: string;
  key: string;
  passphrase?: string;
}

function readPem(o: PluginOptions, key: string, baseDir: string, plugin: string): string {
  const file = o.optStr(key);
  if (file === undefined) {
    throw new ConfigError(`${plugin}: tls is on but ${key} is not set`, o.pos('tls'), { hint: `set ${key} to a PEM file, or turn tls off` });
  }
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`${plugin}: cannot read ${key} ${path}: ${(cause as Error).message}`, o.pos(key), { hint: 'point it at a readable PEM file', cause });
  }
}

/** The TLS settings of a listening input, or undefined when `tls` is off. */
export function readServerTls(o: PluginOptions, baseDir: string, plugin: string): ServerTls | undefined {
  if (!o.bool('tls')) return undefined;
  return {
    cert: readPem(o, 'tls.crt_file', baseDir, plugin),
    key: readPem(o, 'tls.key_file', baseDir, plugin),
    passphrase: o.optStr('tls.key_passwd'),
  };
}

export type ListenTarget = { host: string; port: number } | { path: string; perm?: number };

/** Where a server listens, for logs: `127.0.0.1:24224` or `unix:/var/run/fluent.sock`. */
export function describeTarget(t: ListenTarget): string {
  return 'path' in t ? `unix:${t.path}` : `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

/**
 * Start listening. A unix socket left by an earlier run is removed first (only a socket, never
 * another kind of file), and gets `perm` once bound. Errors name the address and the fix.
 */
export async function listenOn(server: Server, target: ListenTarget, plugin: string): Promise<void> {
  if ('path' in target) removeStaleSocket(target.path, plugin);
  await new Promise<void>((ok, fail) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = describeTarget(target);
      const hint = err.code === 'EADDRINUSE' ? 'another process listens there: stop it or choose another port / unix_path'
        : err.code === 'EACCES' ? 'this user may not listen there: use a port above 1023 or a writable folder'
          : 'check the listen address';
      fail(new WrenError('network', `${plugin}: cannot listen on ${where}: ${err.message}`, { hint, cause: err }));
    };
    server.once('error', onError);
    const done = () => {
      server.off('error', onError);
      ok();
    };
    if ('path' in target) server.listen(target.path, done);
    else server.listen(target.port, target.host, done);
  });
  if ('path' in target && target.perm !== undefined) chmodSync(target.path, target.perm);
}

function removeStaleSocket(path: string, plugin: string): void {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) {
    throw new WrenError('config', `${plugin}: unix_path ${path} exists and is not a socket`, { hint: 'remove that file or choose another unix_path' });
  }
  unlinkSync(path);
}

/** The port a TCP server got (for `port 0`), or undefined for a unix socket. */
export function boundPort(server: Server): number | undefined {
  const a = server.address();
  return a !== null && typeof a === 'object' ? a.port : undefined;
}
