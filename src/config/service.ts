import type { PluginOptions } from './types.js';
import type { OptionSpec } from './types.js';

/** The `service:` section. */
export const SERVICE_OPTIONS: readonly OptionSpec[] = [
  { key: 'flush', type: 'time', default: '1s', min: 1, desc: 'How often buffered records are flushed to outputs (seconds, or 500ms).' },
  { key: 'grace', type: 'time', default: '5s', desc: 'On SIGTERM / SIGINT, how long to keep flushing buffered records before exiting.' },
  { key: 'log_level', type: 'string', default: 'info', enum: ['off', 'error', 'warn', 'warning', 'info', 'debug', 'trace'], desc: "Wren's own log level (JSON lines on stderr)." },
  { key: 'http_server', type: 'bool', default: 'off', desc: 'Serve health, uptime and Prometheus metrics over HTTP.' },
  { key: 'http_listen', type: 'string', default: '0.0.0.0', desc: 'Address the HTTP server listens on.' },
  { key: 'http_port', type: 'int', default: 2020, min: 0, max: 65535, desc: 'Port of the HTTP server (0: any free port, logged).' },
  { key: 'health_check', type: 'bool', default: 'off', desc: 'Make /api/v1/health answer 500 when errors or retry failures pass the thresholds below.' },
  { key: 'hc_errors_count', type: 'int', default: 5, min: 0, desc: 'Output errors within hc_period above which Wren is unhealthy.' },
  { key: 'hc_retry_failure_count', type: 'int', default: 5, min: 0, desc: 'Exhausted retries within hc_period above which Wren is unhealthy.' },
  { key: 'hc_period', type: 'time', default: '60s', min: 1, desc: 'Window over which health counts errors and retry failures.' },
  { key: 'scheduler.base', type: 'time', default: '5s', min: 1, desc: 'First retry waits up to this long (exponential backoff with full jitter).' },
  { key: 'scheduler.cap', type: 'time', default: '2000s', min: 1, desc: 'Longest wait between two retries.' },
  { key: 'parsers_file', type: 'multi', desc: "Parsers file(s) adding parsers: classic ([PARSER], [MULTILINE_PARSER]) or YAML (parsers:), by extension; relative to this file, then the working directory. Repeatable." },
];

export interface ServiceConfig {
  flushMs: number;
  graceMs: number;
  logLevel: string;
  httpServer: boolean;
  httpListen: string;
  httpPort: number;
  healthCheck: boolean;
  hcErrorsCount: number;
  hcRetryFailureCount: number;
  hcPeriodMs: number;
  schedulerBaseMs: number;
  schedulerCapMs: number;
}

export function serviceConfig(o: PluginOptions): ServiceConfig {
  return {
    flushMs: o.num('flush'),
    graceMs: o.num('grace'),
    logLevel: o.str('log_level'),
    httpServer: o.bool('http_server'),
    httpListen: o.str('http_listen'),
    httpPort: o.num('http_port'),
    healthCheck: o.bool('health_check'),
    hcErrorsCount: o.num('hc_errors_count'),
    hcRetryFailureCount: o.num('hc_retry_failure_count'),
    hcPeriodMs: o.num('hc_period'),
    schedulerBaseMs: o.num('scheduler.base'),
    schedulerCapMs: o.num('scheduler.cap'),
  };
}
