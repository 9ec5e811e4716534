import type { Dispatcher } from 'undici';
import { Agent, ProxyAgent } from './undici.js';
import { H1Agent } from './h1-agent.js';
import { ProxyResolver, parseProxyUrl } from './proxy-env.js';
import { RoutingDispatcher } from './routing-dispatcher.js';
import { tlsConnectOptions, type TlsConnect } from './tls-connect.js';

/**
 * Traffic classes, each its own undici dispatcher (see DESIGN.md):
 * - destination: OpenSearch, CloudWatch, HTTP endpoints, STS — the output's `proxy`, else the
 *   environment's HTTPS_PROXY / HTTP_PROXY with NO_PROXY, decided per request origin. HTTPS goes
 *   through the proxy by CONNECT; plain HTTP is forwarded (absolute-URI request).
 * - metadata: IMDS, ECS / EKS Pod Identity endpoints — direct, or `aws_metadata_proxy`; never the
 *   environment's proxy.
 */

export interface TlsOptions {
  /** Verify the server certificate (default true). */
  verify?: boolean;
  /** PEM file of extra CAs to trust, added to Node's default roots. */
  caFile?: string;
  /** SNI / certificate name override. */
  serverName?: string;
  /** Verify an https:// proxy's certificate (default true); `verify` is about the destination only. */
  proxyVerify?: boolean;
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

function proxyAgent(proxy: URL, tls: TlsConnect, timeout: number, connections: number | undefined, proxyVerify = true): ProxyAgent {
  // the proxy's own certificate: checked unless proxy.tls.verify is off (tls.verify off for a
  // self-signed destination must not also open the way to whoever answers as the proxy)
  const proxyTls = { rejectUnauthorized: proxyVerify, ca: tls.ca, timeout };
  return new ProxyAgent({
    uri: proxy.href,
    proxyTunnel: false,
    requestTls: { ...tls, timeout },
    proxyTls,
    connect: { timeout },
    connections,
  });
}

export function createDestinationDispatcher(opts: DestinationOptions = {}): Dispatcher {
  const env = opts.env ?? process.env;
  const tls = tlsConnectOptions(opts.tls, env);
  const timeout = opts.connectTimeoutMs ?? 10_000;
  // direct traffic on Wren's own HTTP/1.1 client (see H1Agent), proxied traffic on undici's
  const direct = new H1Agent({ tls, connectTimeoutMs: timeout, connections: opts.connections });
  const resolver = new ProxyResolver({ proxy: opts.proxy, env });
  if (resolver.alwaysDirect) return direct;
  const owned: Dispatcher[] = [direct];
  const proxies = new Map<string, ProxyAgent>();
  return new RoutingDispatcher((origin) => {
    const choice = resolver.choose(origin);
    if (choice.direct) return direct;
    let agent = proxies.get(choice.proxy.href);
    if (!agent) {
      agent = proxyAgent(choice.proxy, tls, timeout, opts.connections, opts.tls?.proxyVerify !== false);
      proxies.set(choice.proxy.href, agent);
      owned.push(agent);
    }
    return agent;
  }, owned);
}

export function createMetadataDispatcher(opts: MetadataOptions = {}): Dispatcher {
  const timeout = opts.connectTimeoutMs ?? 1000;
  if (!opts.proxy) return new Agent({ connect: { timeout } });
  const proxy = parseProxyUrl(opts.proxy, 'aws_metadata_proxy');
  return proxyAgent(proxy, { rejectUnauthorized: true }, timeout, undefined);
}
