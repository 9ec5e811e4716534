import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { parseSize } from '../../src/config/values.js';
import { ConfigError } from '../../src/errors.js';

/** The tcp input's keys, as Fluent Bit spells them. Only data here: nothing heavy is imported. */
export const TCP_OPTIONS: readonly OptionSpec[] = [
  { key: 'listen', type: 'string', default: '0.0.0.0', desc: 'Address to listen on.' },
  { key: 'port', type: 'int', default: 5170, min: 0, max: 65535, desc: 'TCP port to listen on (0: any free port).' },
  { key: 'format', type: 'string', default: 'json', enum: ['json', 'none'], desc: 'json: a stream of JSON objects (one per line or not); none: raw text split at separator, each piece {"log": text}.' },
  { key: 'separator', type: 'string', default: '\\n', desc: 'With format none, the text that ends a message; \\n, \\r, \\t and \\\\ are understood.' },
  { key: 'source_address_key', type: 'string', desc: "Add the client's address (tcp://IP:PORT) to each record under this key." },
  { key: 'chunk_size', type: 'string', default: '32', desc: 'Accepted for Fluent Bit compatibility (read granularity, in KB); Node reads sockets in its own blocks.' },
  { key: 'buffer_size', type: 'string', desc: 'Longest message accepted, in KB as in Fluent Bit (32) or with a unit (64k, 1M); default chunk_size. A longer one is skipped and logged.' },
];

export interface TcpConfig {
  listen: string;
  port: number;
  format: 'json' | 'none';
  separator: Buffer;
  sourceKey?: string;
  maxMessage: number;
}

/** `32` (KB, as Fluent Bit reads these two keys) or a size with a unit. */
function kb(o: PluginOptions, key: string): number {
  const text = o.str(key).trim();
  const n = /^\d+$/.test(text) ? Number(text) * 1024 : parseSize(text);
  if (n === undefined || n <= 0) throw new ConfigError(`tcp: ${key} '${text}' is not a size`, o.pos(key), { hint: 'give KB as a number (32) or a size (64k, 1M)' });
  return n;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === '0' ? '\0' : c));
}

export function readTcpConfig(o: PluginOptions): TcpConfig {
  const separator = Buffer.from(unescape(o.str('separator')));
  if (separator.length === 0) throw new ConfigError('tcp: separator is empty', o.pos('separator'), { hint: 'give the text that ends a message, e.g. \\n' });
  return {
    listen: o.str('listen'),
    port: o.num('port'),
    format: o.str('format').toLowerCase() as 'json' | 'none',
    separator,
    sourceKey: o.optStr('source_address_key'),
    maxMessage: o.has('buffer_size') ? kb(o, 'buffer_size') : kb(o, 'chunk_size'),
  };
}
