import type { InstanceMetrics, MetricsRegistry } from '../engine/metrics.js';
import type { PluginKind } from '../engine/types.js';
import { logCounts } from '../log-levels.js';
import { storageTotals } from './storage-view.js';
import { FLUENTBIT_COUNTERS, FLUENTBIT_GAUGES, isFluentBitCounter, isFluentBitGauge } from './fluentbit-names.js';

/** What the metrics say about the process itself. */
export interface ProcessInfo {
  version: string;
  hostname: string;
  /** Fluent Bit's `os` label: linux, macos, … */
  os: string;
  storageMetrics: boolean;
}

export interface Sample {
  labels: ReadonlyArray<readonly [string, string]>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: Sample[];
}

const KINDS: readonly PluginKind[] = ['input', 'filter', 'output'];

const WREN_HELP: Record<string, string> = {
  pauses: 'Times the input was paused by mem_buf_limit.',
  records_out: 'Records out of the filter (the rest were dropped by it).',
  errors: 'Failures (records passed on unchanged).',
  records_in: 'Records routed to the output.',
  buffered_bytes: 'Bytes buffered and not yet delivered.',
  buffered_records: 'Records buffered and not yet delivered.',
  storage_chunks_on_disk: 'Chunk files of the output on disk.',
  storage_bytes_on_disk: 'Bytes of the output\'s chunk files on disk.',
  storage_chunks_quarantined: 'Chunk files that could not be read back (moved to the quarantine folder, or deleted).',
  storage_mem_chunks: 'Chunks in memory only.',
  storage_fs_chunks_up: 'Chunks on disk and in memory.',
  storage_fs_chunks_down: 'Chunks on disk only (read back when their turn comes).',
};

/** The counters of `m` that Fluent Bit reports for its kind and plugin, in its order: [key, value]. */
export function fluentBitCounters(m: InstanceMetrics): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const c of FLUENTBIT_COUNTERS[m.kind]) {
    if (c.only && !c.only.includes(m.plugin)) continue;
    out.push([c.key, m.counters.get(c.from) ?? 0]);
  }
  return out;
}

/**
 * Every metric as families, the way Fluent Bit's v2 endpoints (cmetrics) lay them out: the
 * process's own, then input, filter and output instances, Fluent Bit's names first and Wren's
 * own (`wren_…`, labels name and plugin) after them.
 */
export function collectFamilies(reg: MetricsRegistry, info: ProcessInfo, now = Date.now()): Family[] {
  const families = new Map<string, Family>();
  const add = (name: string, type: Family['type'], help: string, labels: Sample['labels'], value: number) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type, help, samples: [] }));
    f.samples.push({ labels, value: Number.isFinite(value) ? value : 0 });
  };
  const host = [['hostname', info.hostname]] as const;
  const started = Math.floor(reg.startedAt / 1000);
  add('fluentbit_uptime', 'counter', 'Number of seconds that Fluent Bit has been running.', host, Math.floor((now - reg.startedAt) / 1000));
  add('fluentbit_process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.', host, started);
  // Fluent Bit's value for build_info is its start time too
  add('fluentbit_build_info', 'gauge', 'Build version information.', [...host, ['version', info.version], ['os', info.os]], started);
  add('fluentbit_hot_reloaded_times', 'counter', 'Collect the count of hot reloaded times.', host, 0);
  for (const [type, n] of logCounts()) add('fluentbit_logger_logs_total', 'counter', 'Total number of logs', [['message_type', type]], n);

  if (info.storageMetrics) {
    const t = storageTotals(reg);
    add('fluentbit_storage_chunks', 'gauge', 'Total number of chunks in the storage layer.', [], t.mem + t.up + t.down);
    add('fluentbit_storage_mem_chunks', 'gauge', 'Total number of memory chunks.', [], t.mem);
    add('fluentbit_storage_fs_chunks', 'gauge', 'Total number of filesystem chunks.', [], t.up + t.down);
    add('fluentbit_storage_fs_chunks_up', 'gauge', 'Total number of filesystem chunks up in memory.', [], t.up);
    add('fluentbit_storage_fs_chunks_down', 'gauge', 'Total number of filesystem chunks down.', [], t.down);
  }

  for (const kind of KINDS) {
    const instances = reg.instances().filter((m) => m.kind === kind);
    for (const m of instances) {
      const name = [['name', m.id]] as const;
      for (const c of FLUENTBIT_COUNTERS[kind]) {
        if (c.only && !c.only.includes(m.plugin)) continue;
        add(`fluentbit_${kind}_${c.key}_total`, 'counter', c.help, name, m.counters.get(c.from) ?? 0);
      }
      for (const g of FLUENTBIT_GAUGES[kind]) {
        if (g.storage && !info.storageMetrics) continue;
        const read = g.from !== undefined ? m.gauges.get(g.from) : undefined;
        add(`fluentbit_${kind}_${g.name}`, 'gauge', g.help, name, read ? read() : g.fallback);
      }
    }
    for (const m of instances) {
      const labels = [['name', m.id], ['plugin', m.plugin]] as const;
      for (const [c, n] of m.counters) {
        if (!isFluentBitCounter(kind, c)) add(`wren_${kind}_${metricName(c)}_total`, 'counter', WREN_HELP[c] ?? `${c} (plugin counter).`, labels, n);
      }
      for (const [g, read] of m.gauges) {
        if (!isFluentBitGauge(kind, g)) add(`wren_${kind}_${metricName(g)}`, 'gauge', WREN_HELP[g] ?? `${g}.`, labels, read());
      }
    }
  }
  // counters first, then gauges, as cmetrics writes them
  const all = [...families.values()];
  return [...all.filter((f) => f.type === 'counter'), ...all.filter((f) => f.type === 'gauge')];
}

/** `GET /api/v1/metrics`: Fluent Bit's JSON, `{input: {"tail.0": {records, bytes, …}}, filter: {…}, output: {…}}`. */
export function metricsV1(reg: MetricsRegistry): Record<PluginKind, Record<string, Record<string, number>>> {
  const out: Record<PluginKind, Record<string, Record<string, number>>> = { input: {}, filter: {}, output: {} };
  for (const m of reg.instances()) out[m.kind][m.id] = Object.fromEntries(fluentBitCounters(m));
  return out;
}

export function metricName(s: string): string {
  return s.replace(/[^a-zA-Z0-9_]/g, '_');
}
