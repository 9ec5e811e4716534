import { storageV1 } from './storage-view.js';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, platform } from 'node:os';
import type { ServiceConfig } from '../config/service.js';
import type { MetricsRegistry } from '../engine/metrics.js';
import type { Logger } from '../log.js';
import { healthState } from './health.js';
import { metricsV1, type ProcessInfo } from './metrics-model.js';
import { renderCmetricsText, renderPrometheus, renderPrometheusV1 } from './prometheus.js';

/**
 * `service.http_server`: Fluent Bit's monitoring API, on its paths and in its shapes.
 * - GET /                              {"wren": {"version": …}} (the Helm chart's liveness probe)
 * - GET /api/v1/health, /api/v2/health  `ok` / `error` text; JSON with the counts and limits
 * - GET /api/v1/uptime                 {"uptime_sec": n, "uptime_hr": "…"}
 * - GET /api/v1/metrics                JSON: {input: {"tail.0": {records, bytes}}, filter: {…}, output: {…}}
 * - GET /api/v1/metrics/prometheus     the v1 exporter (fluentbit_*_total{name} value timestamp)
 * - GET /api/v2/metrics                cmetrics text
 * - GET /api/v2/metrics/prometheus     Prometheus text, Fluent Bit's names and labels
 * - GET /api/v1/storage               chunks in memory, up and down, bytes on disk, quarantined files
 * - GET /api/v2/reload                 {"hot_reload_count": 0}; POST/PUT: 501 (not supported yet)
 */

const OS: Record<string, string> = { linux: 'linux', darwin: 'macos', win32: 'win64', freebsd: 'freebsd' };
const PROMETHEUS = 'text/plain; version=0.0.4';

function uptime(reg: MetricsRegistry): { uptime_sec: number; uptime_hr: string } {
  const s = Math.floor((Date.now() - reg.startedAt) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return { uptime_sec: s, uptime_hr: `Wren has been running: ${d} day, ${h} hour, ${m} minute and ${s % 60} seconds` };
}

export async function startHttpServer(reg: MetricsRegistry, svc: ServiceConfig, log: Logger, version: string): Promise<Server> {
  const info: ProcessInfo = { version, hostname: hostname(), os: OS[platform()] ?? 'unix', storageMetrics: svc.storage.metrics };
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json', JSON.stringify(body));
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api/v2/reload' && (req.method === 'POST' || req.method === 'PUT')) {
      return json(res, 501, { reload: 'not supported', status: -1, error: 'hot reload is not supported yet: restart Wren to apply a changed configuration' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
    switch (path) {
      case '/':
        return json(res, 200, { wren: { version } });
      case '/api/v1/health': {
        const ok = healthState(reg, svc).healthy;
        return send(res, ok ? 200 : 500, 'text/plain', ok ? 'ok\n' : 'error\n');
      }
      case '/api/v2/health': {
        const h = healthState(reg, svc);
        const { healthy, ...counts } = h;
        return json(res, healthy ? 200 : 500, { status: healthy ? 'ok' : 'error', ...counts });
      }
      case '/api/v1/uptime':
        return json(res, 200, uptime(reg));
      case '/api/v1/metrics':
        return json(res, 200, metricsV1(reg));
      case '/api/v1/metrics/prometheus':
        return send(res, 200, PROMETHEUS, renderPrometheusV1(reg, info));
      case '/api/v2/metrics':
        return send(res, 200, 'text/plain', renderCmetricsText(reg, info));
      case '/api/v2/metrics/prometheus':
        return send(res, 200, PROMETHEUS, renderPrometheus(reg, info));
      case '/api/v2/reload':
        return json(res, 200, { hot_reload_count: 0 });
      case '/api/v1/storage':
        return json(res, 200, storageV1(reg));
      default:
        return json(res, 404, { error: `no such path: ${path}` });
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
