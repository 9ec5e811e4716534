import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher } from 'undici';

/**
 * Traffic classes, each its own undici dispatcher (see DESIGN.md):
 * - destination: OpenSearch, CloudWatch, HTTP endpoints, STS — the output's `proxy`, else the
 *   environment's HTTPS_PROXY / HTTP_PROXY with NO_PROXY.
 * - metadata: IMDS, ECS / EKS Pod Identity endpoints — direct, or `aws_metadata_proxy`; never the
 *   environment's proxy.
 *
 * NOTE: proxy routing is being built in the credentials issue; until then both classes go direct.
 */

export interface TlsOptions {
  /** Verify the server certificate (default true). */
  verify?: boolean;
  /** PEM file of extra CAs to trust. */
  caFile?: string;
  /** SNI / certificate name override. */
  serverName?: string;
}

export interface DestinationOptions {
  /** Explicit proxy URL (`http://user:pass@host:port` or `https://…`); wins over the environment. */
  proxy?: string;
  tls?: TlsOptions;
  /** Environment to read HTTP(S)_PROXY / NO_PROXY from (default process.env). */
  env?: NodeJS.ProcessEnv;
  connectTimeoutMs?: number;
  /** Connections per origin. */
  connections?: number;
}

export interface MetadataOptions {
  /** `aws_metadata_proxy`; when unset, metadata traffic is always direct. */
  proxy?: string;
  connectTimeoutMs?: number;
}

function connectOptions(tls: TlsOptions | undefined, connectTimeoutMs: number | undefined) {
  return {
    rejectUnauthorized: tls?.verify !== false,
    ca: tls?.caFile ? readFileSync(tls.caFile) : undefined,
    servername: tls?.serverName,
    timeout: connectTimeoutMs ?? 10_000,
  };
}

export function createDestinationDispatcher(opts: DestinationOptions = {}): Dispatcher {
  return new Agent({ connect: connectOptions(opts.tls, opts.connectTimeoutMs), connections: opts.connections });
}

export function createMetadataDispatcher(opts: MetadataOptions = {}): Dispatcher {
  return new Agent({ connect: { timeout: opts.connectTimeoutMs ?? 1000 } });
}
