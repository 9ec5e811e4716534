import type { OptionSpec } from '../config/types.js';
import type { PluginOptions } from '../config/types.js';
import type { TlsOptions } from './dispatchers.js';

/** TLS keys every network output takes, as Fluent Bit spells them. */
export const TLS_OPTIONS: readonly OptionSpec[] = [
  { key: 'tls', type: 'bool', default: 'off', desc: 'Use TLS (HTTPS) to reach the destination.' },
  { key: 'tls.verify', type: 'bool', default: 'on', desc: 'Verify the server certificate.' },
  { key: 'tls.ca_file', type: 'string', desc: 'PEM file of CA certificates to trust, in addition to the system ones.' },
  { key: 'tls.vhost', type: 'string', desc: 'Host name to send in TLS SNI and to verify the certificate against.' },
];

/** The destination proxy key. */
export const PROXY_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'proxy',
    type: 'string',
    desc: 'HTTP proxy for this output (http://[user:pass@]host:port or https://…); default HTTPS_PROXY / HTTP_PROXY with NO_PROXY.',
  },
  { key: 'proxy.tls.verify', type: 'bool', default: 'on', desc: "Verify an https:// proxy's certificate (tls.verify is about the destination only)." },
];

export function tlsFromOptions(o: PluginOptions): TlsOptions {
  return { verify: o.bool('tls.verify'), caFile: o.optStr('tls.ca_file'), serverName: o.optStr('tls.vhost'), proxyVerify: o.bool('proxy.tls.verify') };
}

/** How an HTTP-based output reaches its destination: its tls.*, proxy and net.* keys. */
export interface DestinationKeys {
  tls: TlsOptions;
  proxy?: string;
  connectTimeoutMs: number;
  ioTimeoutMs: number;
}

export function destinationFromOptions(o: PluginOptions): DestinationKeys {
  return { tls: tlsFromOptions(o), proxy: o.optStr('proxy') || undefined, connectTimeoutMs: o.num('net.connect_timeout'), ioTimeoutMs: o.num('net.io_timeout') };
}
