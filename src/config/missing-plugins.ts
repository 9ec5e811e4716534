import type { PluginDefinition, PluginKind } from '../engine/types.js';
import { ConfigError, type SourcePos } from '../errors.js';
import { didYouMean } from './suggest.js';

/**
 * The one line a config gets for a plugin Wren does not have: which plugin, where, and what Wren
 * has instead. Fluent Bit's own plugins (and the aws-for-fluent-bit Go plugins) are listed with the
 * Wren plugins that do the same job; a suggestion is shown only while that plugin is registered,
 * so the line stays true as plugins are added. Any other name is treated as a typo.
 */

interface Known {
  /** Wren plugins that do this job, best first (shown only when registered). */
  instead?: readonly string[];
  /** What to do when none of them exists (or in addition). */
  note?: string;
}

const METRICS = { note: "Wren collects no host metrics; its own are at /api/v2/metrics/prometheus" };
const HTTP_API = { instead: ['http'], note: "the http output can post JSON lines to the service's HTTP API" };

const KNOWN: Record<PluginKind, Record<string, Known>> = {
  input: {
    cpu: METRICS, mem: METRICS, disk: METRICS, netif: METRICS, proc: METRICS, thermal: METRICS,
    node_exporter_metrics: METRICS, fluentbit_metrics: METRICS, prometheus_scrape: METRICS, process_exporter_metrics: METRICS,
    windows_exporter_metrics: METRICS, nginx_exporter_metrics: METRICS, podman_metrics: METRICS, docker: METRICS, gpu_metrics: METRICS,
    systemd: { instead: ['tail'], note: 'tail the text logs journald forwards to, e.g. /var/log/messages' },
    forward: { instead: ['http', 'tcp'] },
    tcp: { instead: ['forward', 'http'] },
    http: { instead: ['forward', 'tcp'] },
    udp: { instead: ['tcp', 'forward'] },
    syslog: { instead: ['tcp'], note: 'receive syslog over TCP with a syslog-rfc5424 or syslog-rfc3164 parser' },
    kmsg: { instead: ['tail'] }, head: { instead: ['tail'] }, exec: {}, exec_wasi: {}, serial: {}, random: { instead: ['dummy'] },
    kubernetes_events: {}, docker_events: {}, mqtt: {}, statsd: {}, collectd: {}, opentelemetry: { instead: ['http'] },
    elasticsearch: { instead: ['http'] }, splunk: { instead: ['http'] }, prometheus_remote_write: {}, kafka: {},
    winlog: { note: 'Wren runs on Linux' }, winevtlog: { note: 'Wren runs on Linux' }, event_type: {}, health: {}, blob: {},
  },
  filter: {
    lua: { instead: ['modify', 'record_modifier', 'nest'], note: 'Wren runs no scripts; field changes are declarative' },
    record_modifier: { instead: ['modify'] },
    nest: { instead: ['modify'] },
    rewrite_tag: {},
    aws: { instead: ['record_modifier', 'modify'], note: 'add instance metadata with ${VAR} values set at start-up' },
    ecs: { instead: ['aws', 'record_modifier'] },
    multiline: { instead: ['tail'], note: "tail's multiline.parser joins lines as they are read" },
    throttle: {}, throttle_size: {}, expect: {}, geoip2: {}, checklist: {}, log_to_metrics: {}, wasm: {}, nightfall: {},
    type_converter: { instead: ['modify', 'parser'] },
    sysinfo: { instead: ['record_modifier', 'modify'] },
    alter_size: {}, tensorflow: {}, stdout: { instead: ['stdout'], note: 'use the stdout output with a match' },
  },
  output: {
    elasticsearch: { instead: ['opensearch'] },
    forward: { instead: ['http'] }, tcp: { instead: ['http'] }, udp: {},
    loki: HTTP_API, splunk: HTTP_API, datadog: HTTP_API, newrelic: HTTP_API, logdna: HTTP_API, observe: HTTP_API,
    parseable: HTTP_API, slack: HTTP_API, opentelemetry: HTTP_API, websocket: {},
    kafka: {}, kafka_rest: HTTP_API, azure: {}, azure_blob: {}, azure_logs_ingestion: {}, azure_kusto: {}, bigquery: {},
    stackdriver: {}, chronicle: {}, gelf: {}, influxdb: HTTP_API, prometheus_exporter: {}, prometheus_remote_write: {},
    syslog: {}, counter: { instead: ['null'] }, flowcounter: {}, nats: {}, nrlogs: HTTP_API, pgsql: {}, plot: { instead: ['file'] },
    td: {}, skywalking: {}, oracle_log_analytics: {}, vivo_exporter: {}, calyptia: {}, exit: { instead: ['null'] },
  },
};

/** The error for a `[INPUT]`/`pipeline.inputs` item whose plugin is not registered. */
export function missingPluginError(kind: PluginKind, name: string, pos: SourcePos, plugins: readonly PluginDefinition[]): ConfigError {
  const lower = name.toLowerCase();
  const ofKind = plugins.filter((p) => p.kind === kind);
  const have = (n: string) => ofKind.some((p) => p.name === n || p.aliases?.includes(n));
  const available = `Wren's ${kind}s: ${ofKind.map((p) => p.name).join(', ')}`;
  const known = KNOWN[kind][lower];
  if (!known) {
    const names = ofKind.flatMap((p) => [p.name, ...(p.aliases ?? [])]);
    return new ConfigError(`unknown ${kind} plugin '${name}'${didYouMean(lower, names)}`, pos, { hint: available });
  }
  const instead = (known.instead ?? []).filter(have);
  const parts: string[] = [];
  if (instead.length > 0) parts.push(`instead: ${instead.join(' or ')}`);
  if (known.note) parts.push(known.note);
  if (instead.length === 0) parts.push(available);
  return new ConfigError(`${kind} plugin '${name}' is a Fluent Bit plugin that Wren does not have`, pos, { hint: parts.join('; ') });
}
