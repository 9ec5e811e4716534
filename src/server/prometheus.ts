import { logJsonStats } from '../codec/log-json.js';
import type { MetricsRegistry } from '../engine/metrics.js';
import { redact } from '../redact.js';
import type { PluginKind } from '../engine/types.js';

/** Counters every instance of a kind reports (0 until something happens), and what they mean. */
export const STANDARD_COUNTERS: Record<PluginKind, Record<string, string>> = {
  input: { records: 'Records emitted by the input.', bytes: 'Bytes read by the input.', pauses: 'Times the input was paused by mem_buf_limit.' },
  filter: { records_in: 'Records into the filter.', records_out: 'Records out of the filter (the rest were dropped by it).', errors: 'Filter failures (records passed on unchanged).' },
  output: {
    records_in: 'Records routed to the output.',
    proc_records: 'Records delivered.',
    proc_bytes: 'Bytes delivered (as read by inputs).',
    retries: 'Chunk flushes retried.',
    retries_failed: 'Chunks whose retries ran out.',
    retried_records: 'Records in retried flushes.',
    dropped_records: 'Records dropped (rejected, over limits, retries exhausted, or grace expired).',
    errors: 'Failed flushes (network errors, error answers).',
  },
};

const GAUGE_HELP: Record<string, string> = {
  buffered_bytes: 'Bytes buffered and not yet delivered.',
  buffered_records: 'Records buffered and not yet delivered.',
  paused: '1 while the input is paused by mem_buf_limit.',
};

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const metricName = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_');

/** The Prometheus text exposition of every instance's metrics. */
export function renderPrometheus(reg: MetricsRegistry, now = Date.now()): string {
  const families = new Map<string, { type: 'counter' | 'gauge'; help: string; lines: string[] }>();
  const add = (name: string, type: 'counter' | 'gauge', help: string, labels: string, value: number) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { type, help, lines: [] }));
    f.lines.push(`${name}{${labels}} ${Number.isFinite(value) ? value : 0}`);
  };
  for (const m of reg.instances()) {
    const labels = `name="${esc(redact(m.id))}",plugin="${esc(m.plugin)}"`;
    const std = STANDARD_COUNTERS[m.kind];
    const names = new Set([...Object.keys(std), ...m.counters.keys()]);
    for (const c of names) {
      add(`wren_${m.kind}_${metricName(c)}_total`, 'counter', std[c] ?? `${c} (plugin counter).`, labels, m.counters.get(c) ?? 0);
    }
    for (const [g, read] of m.gauges) {
      add(`wren_${m.kind}_${metricName(g)}`, 'gauge', GAUGE_HELP[g] ?? `${g}.`, labels, read());
    }
  }
  let out = '# HELP wren_uptime_seconds Seconds since Wren started.\n# TYPE wren_uptime_seconds gauge\n';
  out += '# HELP wren_json_deep_values_total Values in JSON log data nested deeper than json.max_depth, kept as JSON text.\n# TYPE wren_json_deep_values_total counter\n';
  out += `wren_json_deep_values_total ${logJsonStats.deepValues}\n`;
  out += '# HELP wren_json_raw_numbers_total Numbers in JSON log data a double cannot hold exactly, kept as written.\n# TYPE wren_json_raw_numbers_total counter\n';
  out += `wren_json_raw_numbers_total ${logJsonStats.rawNumbers}\n`;
  out += `wren_uptime_seconds ${Math.floor((now - reg.startedAt) / 1000)}\n`;
  for (const [name, f] of families) {
    out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n${f.lines.join('\n')}\n`;
  }
  return out;
}
