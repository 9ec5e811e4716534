import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceConfig } from '../config/service.js';
import type { MetricsRegistry } from '../engine/metrics.js';
import type { Logger } from '../log.js';
import { renderPrometheus } from './prometheus.js';

/**
 * `service.http_server`: health, uptime and metrics, on Fluent Bit's paths.
 * - GET /api/v1/health: 200 `ok`; with health_check on, 500 `error` when, within hc_period,
 *   output errors exceed hc_errors_count or exhausted retries exceed hc_retry_failure_count,
 *   or (for good) when an input stopped reading a file (tail: a line over buffer_max_size).
 * - GET /api/v1/uptime: {"uptime_sec": n, "uptime_hr": "…"}
 * - GET /api/v2/metrics/prometheus (and /api/v1/metrics/prometheus): Prometheus text.
 * - GET /api/v1/metrics: the same counters as JSON.
 */
export function isHealthy(reg: MetricsRegistry, svc: ServiceConfig, now = Date.now()): boolean {
  if (!svc.healthCheck) return true;
  // an input that stopped reading a file (tail's long-line policy) stays unhealthy: data is being left behind
  if (reg.total('input', 'files_stopped') > 0) return false;
  return reg.recentCount('errors', svc.hcPeriodMs, now) <= svc.hcErrorsCount
    && reg.recentCount('retries_failed', svc.hcPeriodMs, now) <= svc.hcRetryFailureCount;
}

function uptime(reg: MetricsRegistry): { uptime_sec: number; uptime_hr: string } {
  const s = Math.floor((Date.now() - reg.startedAt) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return { uptime_sec: s, uptime_hr: `Wren has been running: ${d} day, ${h} hour, ${m} minute and ${s % 60} seconds` };
}

function metricsJson(reg: MetricsRegistry): Record<string, Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, Record<string, number>>> = { input: {}, filter: {}, output: {} };
  for (const m of reg.instances()) {
    const v: Record<string, number> = {};
    for (const [k, n] of m.counters) v[k] = n;
    for (const [k, read] of m.gauges) v[k] = read();
    out[m.kind]![m.id] = v;
  }
  return out;
}

export async function startHttpServer(reg: MetricsRegistry, svc: ServiceConfig, log: Logger, version: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method not allowed' });
    switch (path) {
      case '/':
        return json(200, { wren: { version } });
      case '/api/v1/health': {
        const ok = isHealthy(reg, svc);
        res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain' });
        return res.end(ok ? 'ok\n' : 'error\n');
      }
      case '/api/v1/uptime':
        return json(200, uptime(reg));
      case '/api/v1/metrics':
        return json(200, metricsJson(reg));
      case '/api/v1/metrics/prometheus':
      case '/api/v2/metrics/prometheus':
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        return res.end(renderPrometheus(reg));
      default:
        return json(404, { error: `no such path: ${path}` });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(svc.httpPort, svc.httpListen, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  log.info({ listen: addr.address, port: addr.port }, `http server listening on ${addr.address}:${addr.port}`);
  return server;
}
