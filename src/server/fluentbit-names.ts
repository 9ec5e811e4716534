import type { PluginKind } from '../engine/types.js';

/**
 * How Wren's per-instance counters are named where Fluent Bit has the same metric, so its
 * dashboards and alert rules work unchanged: `key` is the name in /api/v1/metrics (JSON), and
 * `fluentbit_<kind>_<key>_total` the Prometheus name; the only label is `name` (alias or
 * `<plugin>.<n>`). Counters not listed here are Wren's own and keep the `wren_` prefix.
 */
export interface FluentBitCounter {
  key: string;
  /** The Wren counter it reads (plugins call metrics.add(from)). */
  from: string;
  help: string;
  /** Reported only for these plugins (Fluent Bit registers them per plugin). */
  only?: readonly string[];
}

const TAIL = ['tail'] as const;

/** In Fluent Bit's order (the order of /api/v1/metrics). */
export const FLUENTBIT_COUNTERS: Record<PluginKind, readonly FluentBitCounter[]> = {
  input: [
    { key: 'records', from: 'records', help: 'Number of input records.' },
    { key: 'bytes', from: 'bytes', help: 'Number of input bytes.' },
    { key: 'files_opened', from: 'files_opened', help: 'Total number of opened files', only: TAIL },
    { key: 'files_closed', from: 'files_closed', help: 'Total number of closed files', only: TAIL },
    { key: 'files_rotated', from: 'files_rotated', help: 'Total number of rotated files', only: TAIL },
    { key: 'long_line_truncated', from: 'truncated_lines', help: 'Total number of truncated occurences for long lines', only: TAIL },
    { key: 'long_line_skipped', from: 'skipped_lines', help: 'Total number of skipped occurences for long lines', only: TAIL },
  ],
  filter: [
    { key: 'drop_records', from: 'drop_records', help: 'Total number of dropped records.' },
    { key: 'add_records', from: 'add_records', help: 'Total number of new added records.' },
    { key: 'records', from: 'records_in', help: 'Total number of new records processed.' },
    { key: 'bytes', from: 'bytes', help: 'Total number of new bytes processed.' },
    { key: 'drop_bytes', from: 'drop_bytes', help: 'Total number of dropped bytes.' },
  ],
  output: [
    { key: 'proc_records', from: 'proc_records', help: 'Number of processed output records.' },
    { key: 'proc_bytes', from: 'proc_bytes', help: 'Number of processed output bytes.' },
    { key: 'errors', from: 'errors', help: 'Number of output errors.' },
    { key: 'retries', from: 'retries', help: 'Number of output retries.' },
    { key: 'retries_failed', from: 'retries_failed', help: 'Number of abandoned batches because the maximum number of re-tries was reached.' },
    { key: 'dropped_records', from: 'dropped_records', help: 'Number of dropped records.' },
    { key: 'retried_records', from: 'retried_records', help: 'Number of retried records.' },
  ],
};

/** Wren gauges with a Fluent Bit name (v2 metrics): `fluentbit_<kind>_<name>`. */
export interface FluentBitGauge {
  name: string;
  /** The Wren gauge it reads; absent: `fallback`. */
  from?: string;
  fallback: number;
  help: string;
  /** Only with `storage.metrics on`. */
  storage?: boolean;
}

export const FLUENTBIT_GAUGES: Record<PluginKind, readonly FluentBitGauge[]> = {
  input: [
    { name: 'ingestion_paused', from: 'paused', fallback: 0, help: 'Is the input paused or not?' },
    { name: 'storage_overlimit', from: 'paused', fallback: 0, help: 'Is the input memory usage overlimit ?.', storage: true },
    { name: 'storage_memory_bytes', from: 'buffered_bytes', fallback: 0, help: 'Memory bytes used by the chunks.', storage: true },
  ],
  filter: [],
  output: [
    // outputs without a network connection (stdout, file, null) have none: 0, as in Fluent Bit
    { name: 'upstream_total_connections', from: 'upstream_total_connections', fallback: 0, help: 'Total Connection count.' },
    { name: 'upstream_busy_connections', from: 'upstream_busy_connections', fallback: 0, help: 'Busy Connection count.' },
    // Fluent Bit's value without storage.total_limit_size (Wren has no such limit yet)
    { name: 'chunk_available_capacity_percent', fallback: 100, help: 'Available chunk capacity (percent)' },
  ],
};

const mapped: Record<PluginKind, Set<string>> = {
  input: new Set([...FLUENTBIT_COUNTERS.input.map((c) => c.from)]),
  filter: new Set([...FLUENTBIT_COUNTERS.filter.map((c) => c.from)]),
  output: new Set([...FLUENTBIT_COUNTERS.output.map((c) => c.from)]),
};

const mappedGauges: Record<PluginKind, Set<string>> = {
  input: new Set(['paused']),
  filter: new Set(),
  output: new Set(['upstream_total_connections', 'upstream_busy_connections']),
};

/** True when the counter is reported under a Fluent Bit name (so not again as `wren_…`). */
export function isFluentBitCounter(kind: PluginKind, counter: string): boolean {
  return mapped[kind].has(counter);
}

export function isFluentBitGauge(kind: PluginKind, gauge: string): boolean {
  return mappedGauges[kind].has(gauge);
}
