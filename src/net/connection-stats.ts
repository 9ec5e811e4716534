import type { Dispatcher } from 'undici';
import { Agent } from './undici.js';
import type { PluginMetrics } from '../engine/types.js';
import { RoutingDispatcher } from './routing-dispatcher.js';
import { H1Agent } from './h1-agent.js';

/** Connections a dispatcher holds open, and how many of them carry a request now. */
export interface ConnectionStats {
  total: number;
  busy: number;
}

/** undici keeps a ProxyAgent's own Agent behind a private symbol: find it by type. */
function innerAgent(d: object): Agent | undefined {
  for (const s of Object.getOwnPropertySymbols(d)) {
    const v = (d as Record<symbol, unknown>)[s];
    if (v instanceof Agent) return v;
  }
  return undefined;
}

export function connectionStats(d: Dispatcher): ConnectionStats {
  const out = { total: 0, busy: 0 };
  const agents: Agent[] = [];
  const visit = (x: Dispatcher) => {
    if (x instanceof RoutingDispatcher) for (const y of x.dispatchers) visit(y);
    else if (x instanceof H1Agent) {
      const s = x.stats;
      out.total += s.total;
      out.busy += s.busy;
    }
    else if (x instanceof Agent) agents.push(x);
    else {
      const a = innerAgent(x);
      if (a) agents.push(a);
    }
  };
  visit(d);
  for (const a of agents) {
    for (const s of Object.values(a.stats)) {
      const connected = Number(s.connected);
      out.total += connected;
      // a pool knows its free connections; a single client is busy while it runs a request
      out.busy += 'free' in s ? Math.max(0, connected - s.free) : s.running > 0 ? connected : 0;
    }
  }
  return out;
}

/** Report an output's connections as Fluent Bit's upstream gauges (fluentbit_output_upstream_*_connections). */
export function reportConnections(metrics: PluginMetrics, d: Dispatcher): void {
  metrics.gauge?.('upstream_total_connections', () => connectionStats(d).total);
  metrics.gauge?.('upstream_busy_connections', () => connectionStats(d).busy);
}
