import { ConfigError } from '../errors.js';
import type { OptionSpec, PluginOptions } from './types.js';

/**
 * The `service:` (`[SERVICE]`) section: every key Fluent Bit's deployment configs set is either
 * honoured or accepted with the reason written in its doc line.
 */
export const SERVICE_OPTIONS: readonly OptionSpec[] = [
  { key: 'flush', type: 'time', default: '1s', min: 1, desc: 'How often buffered records are flushed to outputs (seconds, or 500ms).' },
  { key: 'grace', type: 'time', default: '5s', desc: 'On SIGTERM / SIGINT, how long to keep flushing buffered records before exiting.' },
  { key: 'daemon', type: 'bool', default: 'off', desc: 'Must stay off: Wren runs in the foreground; let the service manager or container runtime background it.' },
  { key: 'log_level', type: 'string', default: 'info', enum: ['off', 'error', 'warn', 'warning', 'info', 'debug', 'trace'], desc: "Wren's own log level (JSON lines)." },
  { key: 'log_file', type: 'string', desc: "Append Wren's own log lines to this file instead of stderr (relative to the config file's folder)." },
  { key: 'http_server', type: 'bool', default: 'off', desc: 'Serve health, uptime and metrics (JSON and Prometheus, under Fluent Bit\'s paths and names) over HTTP.' },
  { key: 'http_listen', type: 'string', default: '0.0.0.0', desc: 'Address the HTTP server listens on.' },
  { key: 'http_port', type: 'int', default: 2020, min: 0, max: 65535, desc: 'Port of the HTTP server (0: any free port, logged).' },
  { key: 'health_check', type: 'bool', default: 'off', desc: 'Make /api/v1/health and /api/v2/health answer 500 when output errors or exhausted retries within hc_period pass the limits below.' },
  { key: 'hc_errors_count', type: 'int', default: 5, min: 0, desc: 'Output errors within hc_period above which Wren is unhealthy.' },
  { key: 'hc_retry_failure_count', type: 'int', default: 5, min: 0, desc: 'Exhausted retries within hc_period above which Wren is unhealthy.' },
  { key: 'hc_period', type: 'time', default: '60s', min: 1, desc: 'Window over which health counts errors and retry failures (seconds).' },
  { key: 'scheduler.base', type: 'time', default: '5s', min: 1, desc: 'First retry waits up to this long (exponential backoff with full jitter).' },
  { key: 'scheduler.cap', type: 'time', default: '2000s', min: 1, desc: 'Longest wait between two retries.' },
  { key: 'json.max_depth', type: 'int', default: 64, min: 1, max: 1000, desc: 'Deepest nesting kept when JSON is parsed from log data (merge_log, json parser, stdin, network inputs); a value nested deeper is kept as its JSON text, counted in wren_json_deep_values_total.' },
  { key: 'parsers_file', type: 'multi', desc: "Parsers file(s) adding parsers: classic ([PARSER], [MULTILINE_PARSER]) or YAML (parsers:), by extension; relative to this file, then the working directory. Repeatable; -R on the command line." },
  { key: 'plugins_file', type: 'string', desc: 'Not supported: Wren does not load shared-library plugins (remove the key).' },
  { key: 'streams_file', type: 'string', desc: 'Not supported: Wren has no stream processor (remove the key).' },
  { key: 'hot_reload', type: 'bool', default: 'off', desc: 'Accepted; reloading is not supported yet: on a changed config, restart Wren (logged at start when on).' },
  { key: 'hot_reload.ensure_thread_safety', type: 'bool', default: 'on', desc: 'Accepted for Fluent Bit compatibility (no hot reload yet).' },
  { key: 'hot_reload.timeout', type: 'int', desc: 'Accepted for Fluent Bit compatibility (no hot reload yet).' },
  { key: 'coro_stack_size', type: 'int', min: 0, desc: 'Accepted for Fluent Bit compatibility; Wren has no coroutine stacks to size.' },
  { key: 'multiline_buffer_limit', type: 'size', default: '2M', desc: 'Largest multiline record kept while it is being joined.' },
  { key: 'json.convert_nan_to_null', type: 'bool', default: 'off', desc: 'Accepted; Wren always writes NaN and Infinity as null (JSON has no other spelling).' },
  { key: 'json.escape_unicode', type: 'bool', default: 'on', desc: 'Accepted; Wren writes JSON as UTF-8 text.' },
  { key: 'sp.convert_from_str_to_num', type: 'bool', default: 'on', desc: 'Accepted for Fluent Bit compatibility (no stream processor).' },
  { key: 'dns.mode', type: 'string', enum: ['UDP', 'TCP'], desc: "Accepted; Wren resolves names with the system's resolver." },
  { key: 'dns.resolver', type: 'string', enum: ['LEGACY', 'ASYNC'], desc: "Accepted; Wren resolves names with the system's resolver." },
  { key: 'dns.prefer_ipv4', type: 'bool', default: 'off', desc: 'Try IPv4 addresses first when a name has both.' },
  { key: 'dns.prefer_ipv6', type: 'bool', default: 'off', desc: "Accepted; with it off or on, Wren keeps the resolver's order unless dns.prefer_ipv4 is on." },
  { key: 'storage.path', type: 'string', desc: 'Folder for filesystem buffering (inputs with storage.type filesystem).' },
  { key: 'storage.sync', type: 'string', default: 'normal', enum: ['normal', 'full'], desc: 'normal: let the OS write chunk files back; full: sync every write.' },
  { key: 'storage.checksum', type: 'bool', default: 'on', desc: 'Checksum every batch in the chunk files (CRC32) and check it when read back. On by default in Wren (off in Fluent Bit): the CRC is native and costs well under 1% CPU.' },
  { key: 'storage.metrics', type: 'bool', default: 'off', desc: 'Add storage metrics (chunks, memory) to the metrics endpoints.' },
  { key: 'storage.max_chunks_up', type: 'int', default: 128, min: 1, desc: 'Chunks kept in memory at once; the rest wait on disk.' },
  { key: 'storage.backlog.mem_limit', type: 'size', default: '5M', desc: 'Memory per output for filesystem chunks waiting to be sent (after an outage, or left by an earlier run); beyond it they wait on disk only and are read back one at a time per worker.' },
  { key: 'storage.backlog.flush_on_shutdown', type: 'bool', default: 'off', desc: 'Accepted: Wren always tries to deliver the backlog before it stops (within grace); what is left stays on disk.' },
  { key: 'storage.delete_irrecoverable_chunks', type: 'bool', default: 'off', desc: 'Delete chunk files that cannot be read back instead of keeping them.' },
  { key: 'storage.inherit', type: 'bool', default: 'off', desc: 'Inputs that do not set storage.type use filesystem storage (with storage.path set).' },
  { key: 'storage.keep.rejected', type: 'bool', default: 'off', desc: 'Keep chunks an output rejected for good in storage.rejected.path.' },
  { key: 'storage.rejected.path', type: 'string', desc: 'Folder (under storage.path) for rejected chunks.' },
];

/** `storage.*` of the service, for filesystem buffering. */
export interface StorageConfig {
  path?: string;
  sync: 'normal' | 'full';
  checksum: boolean;
  metrics: boolean;
  maxChunksUp: number;
  backlogMemLimit: number;
  backlogFlushOnShutdown: boolean;
  deleteIrrecoverableChunks: boolean;
  inherit: boolean;
  keepRejected: boolean;
  rejectedPath?: string;
}

export interface ServiceConfig {
  flushMs: number;
  graceMs: number;
  logLevel: string;
  /** Absolute, or relative to the config file's folder. */
  logFile?: string;
  httpServer: boolean;
  httpListen: string;
  httpPort: number;
  healthCheck: boolean;
  hcErrorsCount: number;
  hcRetryFailureCount: number;
  hcPeriodMs: number;
  schedulerBaseMs: number;
  schedulerCapMs: number;
  jsonMaxDepth: number;
  hotReload: boolean;
  multilineBufferLimit: number;
  dnsPreferIpv4: boolean;
  storage: StorageConfig;
}

export function serviceConfig(o: PluginOptions): ServiceConfig {
  return {
    flushMs: o.num('flush'),
    graceMs: o.num('grace'),
    logLevel: o.str('log_level'),
    logFile: o.optStr('log_file'),
    httpServer: o.bool('http_server'),
    httpListen: o.str('http_listen'),
    httpPort: o.num('http_port'),
    healthCheck: o.bool('health_check'),
    hcErrorsCount: o.num('hc_errors_count'),
    hcRetryFailureCount: o.num('hc_retry_failure_count'),
    hcPeriodMs: o.num('hc_period'),
    schedulerBaseMs: o.num('scheduler.base'),
    schedulerCapMs: o.num('scheduler.cap'),
    jsonMaxDepth: o.num('json.max_depth'),
    hotReload: o.bool('hot_reload'),
    multilineBufferLimit: o.num('multiline_buffer_limit'),
    dnsPreferIpv4: o.bool('dns.prefer_ipv4'),
    storage: {
      path: o.optStr('storage.path'),
      sync: o.str('storage.sync') as StorageConfig['sync'],
      checksum: o.bool('storage.checksum'),
      metrics: o.bool('storage.metrics'),
      maxChunksUp: o.num('storage.max_chunks_up'),
      backlogMemLimit: o.num('storage.backlog.mem_limit'),
      backlogFlushOnShutdown: o.bool('storage.backlog.flush_on_shutdown'),
      deleteIrrecoverableChunks: o.bool('storage.delete_irrecoverable_chunks'),
      inherit: o.bool('storage.inherit'),
      keepRejected: o.bool('storage.keep.rejected'),
      rejectedPath: o.optStr('storage.rejected.path'),
    },
  };
}

/** Service keys that are accepted as syntax but cannot run as asked: one error each, with the fix. */
export function checkService(o: PluginOptions): ConfigError[] {
  const errors: ConfigError[] = [];
  if (o.bool('daemon')) {
    errors.push(new ConfigError("'daemon on' is not supported: Wren stays in the foreground", o.pos('daemon'),
      { hint: 'set daemon off and let systemd, the container runtime or your service manager run it in the background' }));
  }
  if (o.has('plugins_file')) {
    errors.push(new ConfigError("'plugins_file' is not supported: Wren does not load shared-library plugins", o.pos('plugins_file'),
      { hint: 'remove the key; the plugins Wren has are built in (see the README reference)' }));
  }
  if (o.has('streams_file')) {
    errors.push(new ConfigError("'streams_file' is not supported: Wren has no stream processor", o.pos('streams_file'),
      { hint: 'remove the key; filters (grep, modify, parser…) cover per-record changes' }));
  }
  return errors;
}
