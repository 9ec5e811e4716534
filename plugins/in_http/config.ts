import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { readServerTls, SERVER_TLS_OPTIONS, type ServerTls } from '../../src/net/listen.js';

/** The http input's keys, as Fluent Bit spells them. Only data here: nothing heavy is imported. */
export const HTTP_OPTIONS: readonly OptionSpec[] = [
  { key: 'listen', type: 'string', default: '0.0.0.0', desc: 'Address to listen on.' },
  { key: 'port', type: 'int', default: 9880, min: 0, max: 65535, desc: 'TCP port to listen on (0: any free port).' },
  { key: 'tag_key', type: 'string', desc: 'Take each record\'s tag from this key of the record (when it holds a string) instead of the URL path.' },
  { key: 'successful_response_code', type: 'int', default: 201, min: 200, max: 299, desc: 'Status answered once a request\'s records are stored (200, 201 or 204).' },
  { key: 'buffer_max_size', type: 'size', default: '4M', min: 1, desc: 'Largest request body accepted (a gzip body counts as sent, and may inflate to 16 times this); larger ones get 413.' },
  { key: 'buffer_chunk_size', type: 'size', default: '512K', min: 1, desc: 'Accepted for Fluent Bit compatibility: Node reads request bodies in its own blocks.' },
  ...SERVER_TLS_OPTIONS,
];

export interface HttpInputConfig {
  listen: string;
  port: number;
  tagKey?: string;
  okStatus: number;
  maxBody: number;
  tls?: ServerTls;
}

export function readHttpConfig(o: PluginOptions, baseDir: string): HttpInputConfig {
  return {
    listen: o.str('listen'),
    port: o.num('port'),
    tagKey: o.optStr('tag_key'),
    okStatus: o.num('successful_response_code'),
    maxBody: o.num('buffer_max_size'),
    tls: readServerTls(o, baseDir, 'http'),
  };
}
