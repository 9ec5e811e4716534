import { WrenError } from '../errors.js';
import { redact } from '../redact.js';
import { parseNoProxy, type NoProxy } from './no-proxy.js';

/** Where destination traffic for one origin goes: direct, or through this proxy URL. */
export type ProxyChoice = { direct: true } | { direct: false; proxy: URL };

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * A proxy URL as users write it: `http://[user:pass@]host:port`, `https://…`, or bare `host:port`
 * (taken as http://). Anything else is a configuration error naming where it came from.
 */
export function parseProxyUrl(text: string, source: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new WrenError('config', `${source} is not a valid proxy URL`, {
      hint: 'write it as http://[user:pass@]host:port or https://host:port', cause,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WrenError('config', `${source} uses ${url.protocol.slice(0, -1)}://, which Wren cannot use as a proxy`, {
      hint: 'use an http:// or https:// proxy',
    });
  }
  return url;
}

/** A proxy URL for logs and messages: the password is never shown. */
export function redactProxyUrl(url: URL): string {
  if (!url.username && !url.password) return url.origin;
  return `${url.protocol}//${url.username ? `${url.username}:***@` : ''}${url.host}`;
}

/**
 * Proxy routing of the destination class, from the output's `proxy` or the environment.
 * - An explicit proxy (the output's `proxy` key) carries every request of that output: the
 *   user named it for this destination, so NO_PROXY does not apply to it.
 * - Otherwise https origins use HTTPS_PROXY (falling back to HTTP_PROXY, as Fluent Bit does)
 *   and http origins use HTTP_PROXY; upper or lower case, lower case first.
 */
export class ProxyResolver {
  private readonly explicit?: URL;
  private readonly httpsProxy?: URL;
  private readonly httpProxy?: URL;
  private readonly noProxy: NoProxy;

  constructor(opts: { proxy?: string; env?: NodeJS.ProcessEnv }) {
    const env = opts.env ?? process.env;
    this.noProxy = parseNoProxy(envValue(env, 'no_proxy'));
    if (opts.proxy) {
      this.explicit = parseProxyUrl(opts.proxy, `proxy '${redact(opts.proxy)}'`);
      return;
    }
    const https = envValue(env, 'https_proxy');
    const http = envValue(env, 'http_proxy');
    if (https) this.httpsProxy = parseProxyUrl(https, 'HTTPS_PROXY');
    if (http) this.httpProxy = parseProxyUrl(http, 'HTTP_PROXY');
  }

  /** True when no request can ever go through a proxy. */
  get alwaysDirect(): boolean {
    return !this.explicit && !this.httpsProxy && !this.httpProxy;
  }

  choose(origin: URL): ProxyChoice {
    const port = origin.port ? Number(origin.port) : origin.protocol === 'https:' ? 443 : 80;
    if (this.explicit) return { direct: false, proxy: this.explicit };
    const proxy = origin.protocol === 'https:' ? this.httpsProxy ?? this.httpProxy : this.httpProxy;
    if (!proxy || this.noProxy.bypass(origin.hostname, port)) return { direct: true };
    return { direct: false, proxy };
  }
}
