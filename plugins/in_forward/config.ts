import { isAbsolute, resolve } from 'node:path';
import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { ConfigError } from '../../src/errors.js';
import { readServerTls, SERVER_TLS_OPTIONS, type ServerTls } from '../../src/net/listen.js';

/** The forward input's keys, as Fluent Bit spells them. Only data here: nothing heavy is imported. */
export const FORWARD_OPTIONS: readonly OptionSpec[] = [
  { key: 'listen', type: 'string', default: '0.0.0.0', desc: 'Address to listen on for TCP connections.' },
  { key: 'port', type: 'int', default: 24224, min: 0, max: 65535, desc: 'TCP port to listen on (0: any free port).' },
  { key: 'unix_path', type: 'string', desc: 'Listen on this unix socket instead of TCP (listen and port are then ignored); a stale socket file is replaced.' },
  { key: 'unix_perm', type: 'string', desc: 'Permissions of the unix socket file, in octal (e.g. 0660).' },
  { key: 'tag', type: 'string', desc: 'Give every record this tag instead of the one its client sent.' },
  { key: 'tag_prefix', type: 'string', desc: 'Prefix the tag each client sent with this text (e.g. fwd. makes app.web fwd.app.web).' },
  { key: 'buffer_chunk_size', type: 'size', default: '1024000', min: 1, desc: 'Accepted for Fluent Bit compatibility: Node reads sockets in its own blocks and a frame is assembled as it arrives.' },
  { key: 'buffer_max_size', type: 'size', default: '6144000', min: 1, desc: 'Largest Forward frame accepted; a larger one closes its connection (logged, not acknowledged).' },
  { key: 'shared_key', type: 'string', secret: true, desc: 'Require the secure-forward handshake (HELO / PING / PONG) with this shared key.' },
  { key: 'empty_shared_key', type: 'bool', default: 'off', desc: 'Require the handshake with an empty shared key (e.g. to check security.users only).' },
  { key: 'self_hostname', type: 'string', default: 'localhost', desc: 'Host name this server gives in the handshake (PONG).' },
  { key: 'security.users', type: 'multi', secret: true, desc: "'USER PASSWORD' pairs a client must present in the handshake (repeatable); needs shared_key or empty_shared_key." },
  ...SERVER_TLS_OPTIONS,
];

export interface ForwardConfig {
  listen: string;
  port: number;
  unixPath?: string;
  unixPerm?: number;
  /** Set: every record gets this tag. */
  tag?: string;
  tagPrefix: string;
  maxFrame: number;
  /** Set when the handshake is required (an empty string for empty_shared_key). */
  sharedKey?: string;
  selfHostname: string;
  users: Map<string, string>;
  tls?: ServerTls;
}

export function readForwardConfig(o: PluginOptions, baseDir: string): ForwardConfig {
  const unixPath = o.optStr('unix_path');
  const permText = o.optStr('unix_perm');
  let unixPerm: number | undefined;
  if (permText !== undefined) {
    if (!/^0?[0-7]{3,4}$/.test(permText.trim())) {
      throw new ConfigError(`forward: unix_perm '${permText}' is not an octal file mode`, o.pos('unix_perm'), { hint: 'write it as 0660, 0644, …' });
    }
    unixPerm = parseInt(permText.trim(), 8);
  }
  let sharedKey = o.optStr('shared_key');
  if (sharedKey === undefined && o.bool('empty_shared_key')) sharedKey = '';
  const users = new Map<string, string>();
  for (const pair of o.list('security.users')) {
    const m = /^\s*(\S+)\s+(.+?)\s*$/.exec(pair);
    if (!m) throw new ConfigError('forward: security.users takes \'USER PASSWORD\'', o.pos('security.users'), { hint: 'give a user name and its password separated by a space' });
    users.set(m[1]!, m[2]!);
  }
  if (users.size > 0 && sharedKey === undefined) {
    throw new ConfigError('forward: security.users needs the handshake', o.pos('security.users'), { hint: 'set shared_key (or empty_shared_key on)' });
  }
  return {
    listen: o.str('listen'),
    port: o.num('port'),
    unixPath: unixPath === undefined ? undefined : isAbsolute(unixPath) ? unixPath : resolve(baseDir, unixPath),
    unixPerm,
    tag: o.optStr('tag'),
    tagPrefix: o.optStr('tag_prefix') ?? '',
    maxFrame: o.num('buffer_max_size'),
    sharedKey,
    selfHostname: o.str('self_hostname'),
    users,
    tls: readServerTls(o, baseDir, 'forward'),
  };
}
