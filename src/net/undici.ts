import type * as Undici from 'undici';
import api from 'undici/lib/api/index.js';
import AgentImpl from 'undici/lib/dispatcher/agent.js';
import DispatcherImpl from 'undici/lib/dispatcher/dispatcher.js';
import ProxyAgentImpl from 'undici/lib/dispatcher/proxy-agent.js';

/**
 * The parts of undici Wren uses (Agent, ProxyAgent, Dispatcher and its request API), loaded from
 * their own files instead of undici's index. The index also loads fetch, WebSocket, the cookie,
 * cache, mock and retry machinery and every interceptor: measured on Node 20.20, `require('undici')`
 * takes about 135 ms and 20 MB of RSS, these files about 65 ms and 12 MB, and every Wren process
 * with a network output (or the Kubernetes filter) pays it at start and for as long as it runs.
 * Types still come from 'undici' (erased at build time; undici-lib.d.ts types these files). Static
 * imports, so the bundle carries them. Pinned by test/net/undici-lean.test.ts.
 */

/** The base class (for RoutingDispatcher); the type with its namespace stays `Dispatcher` from 'undici'. */
export const DispatcherBase = DispatcherImpl;
// as undici's index does: the request/stream/pipeline/upgrade/connect methods of every dispatcher
Object.assign(DispatcherBase.prototype, api);
export const Agent = AgentImpl;
export type Agent = Undici.Agent;
export const ProxyAgent = ProxyAgentImpl;
export type ProxyAgent = Undici.ProxyAgent;

/** undici's `request(url, options)`, on the dispatcher the options name (which Wren always gives). */
export function request(url: string | URL, opts: Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & { method?: Undici.Dispatcher.HttpMethod; dispatcher: Undici.Dispatcher }): Promise<Undici.Dispatcher.ResponseData> {
  const u = typeof url === 'string' ? new URL(url) : url;
  const { dispatcher, ...rest } = opts;
  return dispatcher.request({ ...rest, origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname, method: opts.method ?? (opts.body ? 'PUT' : 'GET') });
}
