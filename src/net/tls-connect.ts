import { readFileSync } from 'node:fs';
import type { SecureContext } from 'node:tls';
import { WrenError } from '../errors.js';
import { lazyRequire } from '../lazy-require.js';
import type { TlsOptions } from './dispatchers.js';

const tlsModule = lazyRequire<typeof import('node:tls')>('node:tls');

/** The TLS options of a connection: undici's connect option (proxies) and H1Agent's tls.connect (direct). */
export interface TlsConnect {
  rejectUnauthorized: boolean;
  ca?: string[];
  /**
   * With a CA file: one context holding those CAs, made once. Without it, every new connection
   * built its own from `ca` (Node's ~140 roots plus the file: tens of ms of CPU each).
   */
  secureContext?: SecureContext;
  servername?: string;
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new WrenError('config', `cannot read ${what} ${file}: ${(cause as Error).message}`, {
      hint: 'point it at a readable PEM file', cause,
    });
  }
}

/**
 * TLS settings for tls.connect. A CA file adds to the roots Node trusts (its bundled roots and
 * NODE_EXTRA_CA_CERTS): passing `ca` alone would replace them, so they are listed first.
 */
export function tlsConnectOptions(tls: TlsOptions | undefined, env: NodeJS.ProcessEnv = process.env): TlsConnect {
  const out: TlsConnect = { rejectUnauthorized: tls?.verify !== false };
  if (tls?.serverName) out.servername = tls.serverName;
  if (tls?.caFile) {
    const extra = env.NODE_EXTRA_CA_CERTS ? [readPem(env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS')] : [];
    // node:tls loads here only with a CA file, else with the first https connection
    const { createSecureContext, rootCertificates } = tlsModule();
    out.ca = [...rootCertificates, ...extra, readPem(tls.caFile, 'tls.ca_file')];
    out.secureContext = createSecureContext({ ca: out.ca });
  }
  return out;
}
