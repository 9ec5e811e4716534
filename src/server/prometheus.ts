import { isoTime } from '../codec/iso-time.js';
import type { MetricsRegistry } from '../engine/metrics.js';
import { collectFamilies, fluentBitCounters, label, type Family, type ProcessInfo } from './metrics-model.js';

/** Metrics as text: Prometheus (v1 and v2 endpoints) and cmetrics' text (`/api/v2/metrics`). */

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelText(labels: Family['samples'][number]['labels']): string {
  return labels.length ? `{${labels.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}` : '';
}

/** `GET /api/v2/metrics/prometheus`: every family, Fluent Bit's names and labels, no timestamps. */
export function renderPrometheus(reg: MetricsRegistry, info: ProcessInfo, now = Date.now()): string {
  let out = '';
  for (const f of collectFamilies(reg, info, now)) {
    out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${labelText(s.labels)} ${s.value}\n`;
  }
  return out;
}

/** `GET /api/v2/metrics`: cmetrics' text format, `2024-01-01T00:00:00.000000000Z name{labels} = value`. */
export function renderCmetricsText(reg: MetricsRegistry, info: ProcessInfo, now = Date.now()): string {
  const iso = isoTime(now);
  const ts = `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
  let out = '';
  for (const f of collectFamilies(reg, info, now)) {
    for (const s of f.samples) out += `${ts} ${f.name}${labelText(s.labels)} = ${s.value}\n`;
  }
  return out;
}

/**
 * `GET /api/v1/metrics/prometheus`: Fluent Bit's first exporter: every /api/v1/metrics counter as
 * `fluentbit_<kind>_<key>_total{name="…"} value timestamp_ms`, sorted, then uptime,
 * process_start_time_seconds and build_info; Wren's own metrics follow under `wren_`.
 */
export function renderPrometheusV1(reg: MetricsRegistry, info: ProcessInfo, now = Date.now()): string {
  const lines: string[] = [];
  for (const m of reg.instances()) {
    for (const [k, v] of fluentBitCounters(m)) lines.push(`fluentbit_${m.kind}_${k}_total{name="${esc(label(m.id))}"} ${v} ${now}`);
  }
  lines.sort();
  const help = new Map(collectFamilies(reg, info, now).map((f) => [f.name, f]));
  let out = '';
  let last = '';
  for (const l of lines) {
    const name = l.slice(0, l.indexOf('{'));
    if (name !== last) out += `# HELP ${name} ${help.get(name)?.help ?? 'Fluentbit metrics.'}\n# TYPE ${name} counter\n`;
    last = name;
    out += l + '\n';
  }
  const started = Math.floor(reg.startedAt / 1000);
  out += '# HELP fluentbit_uptime Number of seconds that Fluent Bit has been running.\n# TYPE fluentbit_uptime counter\n';
  out += `fluentbit_uptime ${Math.floor((now - reg.startedAt) / 1000)}\n`;
  out += '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\n';
  out += `process_start_time_seconds ${started}\n`;
  out += '# HELP fluentbit_build_info Build version information.\n# TYPE fluentbit_build_info gauge\n';
  out += `fluentbit_build_info{version="${esc(info.version)}",edition="Wren"} 1\n`;
  for (const f of help.values()) {
    if (!f.name.startsWith('wren_')) continue;
    out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${labelText(s.labels)} ${s.value}\n`;
  }
  return out;
}
