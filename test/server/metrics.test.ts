import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../src/config/service.js';
import { MetricsRegistry } from '../../src/engine/metrics.js';
import { healthState } from '../../src/server/health.js';
import { metricsV1 } from '../../src/server/metrics-model.js';
import { renderCmetricsText, renderPrometheus, renderPrometheusV1 } from '../../src/server/prometheus.js';

const INFO = { version: '9.9.9', hostname: 'node-1', os: 'linux', storageMetrics: false };

/** A registry as a tail → grep → es + stdout pipeline leaves it. */
function registry(): MetricsRegistry {
  const reg = new MetricsRegistry();
  const tail = reg.instance('input', 'tail.0', 'tail');
  tail.add('records', 120);
  tail.add('bytes', 24_000);
  tail.add('files_opened', 2);
  tail.add('skipped_lines');
  tail.add('pauses', 3);
  tail.gauge('paused', () => 1);
  tail.gauge('buffered_bytes', () => 4096);
  const grep = reg.instance('filter', 'grep.0', 'grep');
  grep.add('records_in', 120);
  grep.add('records_out', 100);
  grep.add('drop_records', 20);
  grep.add('bytes', 20_000);
  grep.add('drop_bytes', 4_000);
  const es = reg.instance('output', 'es.0', 'opensearch');
  es.add('records_in', 100);
  es.add('proc_records', 90);
  es.add('proc_bytes', 18_000);
  es.add('errors', 3);
  es.add('retries', 2);
  es.add('retries_failed');
  es.add('retried_records', 20);
  es.add('dropped_records', 10);
  es.add('refused_records', 1);
  es.gauge('upstream_total_connections', () => 2);
  es.gauge('upstream_busy_connections', () => 1);
  reg.instance('output', 'stdout.1', 'stdout');
  return reg;
}

describe("metrics under Fluent Bit's names", () => {
  it('/api/v1/metrics has Fluent Bit\'s JSON shape and keys, in its order', () => {
    const json = metricsV1(registry());
    expect(JSON.stringify(json)).toBe(JSON.stringify({
      input: { 'tail.0': { records: 120, bytes: 24_000, files_opened: 2, files_closed: 0, files_rotated: 0, long_line_truncated: 0, long_line_skipped: 1 } },
      filter: { 'grep.0': { drop_records: 20, add_records: 0, records: 120, bytes: 20_000, drop_bytes: 4_000 } },
      output: {
        'es.0': { proc_records: 90, proc_bytes: 18_000, errors: 3, retries: 2, retries_failed: 1, dropped_records: 10, retried_records: 20 },
        'stdout.1': { proc_records: 0, proc_bytes: 0, errors: 0, retries: 0, retries_failed: 0, dropped_records: 0, retried_records: 0 },
      },
    }));
  });

  it('Prometheus (v2) has every fluentbit_* metric the Helm dashboard and alert rules use, labelled name=…', () => {
    const text = renderPrometheus(registry(), INFO, registry().startedAt + 65_000);
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(value('fluentbit_input_records_total{name="tail.0"}')).toBe(120);
    expect(value('fluentbit_input_bytes_total{name="tail.0"}')).toBe(24_000);
    expect(value('fluentbit_input_files_opened_total{name="tail.0"}')).toBe(2);
    expect(value('fluentbit_input_ingestion_paused{name="tail.0"}')).toBe(1);
    expect(value('fluentbit_filter_records_total{name="grep.0"}')).toBe(120);
    expect(value('fluentbit_filter_bytes_total{name="grep.0"}')).toBe(20_000);
    expect(value('fluentbit_filter_drop_records_total{name="grep.0"}')).toBe(20);
    expect(value('fluentbit_filter_add_records_total{name="grep.0"}')).toBe(0);
    expect(value('fluentbit_output_proc_records_total{name="es.0"}')).toBe(90);
    expect(value('fluentbit_output_proc_bytes_total{name="es.0"}')).toBe(18_000);
    expect(value('fluentbit_output_errors_total{name="es.0"}')).toBe(3);
    expect(value('fluentbit_output_retries_total{name="es.0"}')).toBe(2);
    expect(value('fluentbit_output_retries_failed_total{name="es.0"}')).toBe(1);
    expect(value('fluentbit_output_dropped_records_total{name="es.0"}')).toBe(10);
    expect(value('fluentbit_output_retried_records_total{name="es.0"}')).toBe(20);
    expect(value('fluentbit_output_proc_records_total{name="stdout.1"}')).toBe(0);
    expect(value('fluentbit_output_upstream_total_connections{name="es.0"}')).toBe(2);
    expect(value('fluentbit_output_upstream_busy_connections{name="es.0"}')).toBe(1);
    expect(value('fluentbit_output_upstream_total_connections{name="stdout.1"}')).toBe(0);
    expect(value('fluentbit_output_chunk_available_capacity_percent{name="es.0"}')).toBe(100);
    expect(value('fluentbit_uptime{hostname="node-1"}')).toBe(65);
    expect(value('fluentbit_process_start_time_seconds{hostname="node-1"}')).toBe(Math.floor(registry().startedAt / 1000));
    expect(text).toMatch(/^fluentbit_build_info\{hostname="node-1",version="9\.9\.9",os="linux"\} \d+$/m);
    expect(text).toMatch(/^fluentbit_logger_logs_total\{message_type="error"\} \d+$/m);
    expect(text).toMatch(/# HELP fluentbit_output_retries_failed_total Number of abandoned batches because the maximum number of re-tries was reached\.\n# TYPE fluentbit_output_retries_failed_total counter\n/);
    // one HELP / TYPE per family, however many instances
    expect(text.match(/# TYPE fluentbit_output_proc_records_total /g)).toHaveLength(1);
    // Wren's own metrics keep wren_ (name and plugin labels); mapped ones are not repeated there
    expect(value('wren_input_pauses_total{name="tail.0",plugin="tail"}')).toBe(3);
    expect(value('wren_input_buffered_bytes{name="tail.0",plugin="tail"}')).toBe(4096);
    expect(value('wren_output_refused_records_total{name="es.0",plugin="opensearch"}')).toBe(1);
    expect(value('wren_output_records_in_total{name="es.0",plugin="opensearch"}')).toBe(100);
    expect(text).not.toMatch(/wren_input_records_total|wren_output_proc_records_total|wren_filter_records_in_total|wren_input_paused/);
    // storage gauges only with storage.metrics on
    expect(text).not.toMatch(/fluentbit_input_storage_/);
    expect(renderPrometheus(registry(), { ...INFO, storageMetrics: true })).toMatch(/^fluentbit_input_storage_memory_bytes\{name="tail\.0"\} 4096$/m);
  });

  it('v1 Prometheus: sorted fluentbit_*_total{name} with a timestamp, then uptime, process start and build info', () => {
    const reg = registry();
    const now = reg.startedAt + 5000;
    const lines = renderPrometheusV1(reg, INFO, now).split('\n');
    const series = lines.filter((l) => l.startsWith('fluentbit_') && l.includes('_total{'));
    expect(series).toEqual([...series].sort());
    expect(series).toContain(`fluentbit_input_records_total{name="tail.0"} 120 ${now}`);
    expect(series).toContain(`fluentbit_filter_drop_records_total{name="grep.0"} 20 ${now}`);
    expect(series).toContain(`fluentbit_output_retries_failed_total{name="es.0"} 1 ${now}`);
    expect(lines).toContain('fluentbit_uptime 5');
    expect(lines).toContain(`process_start_time_seconds ${Math.floor(reg.startedAt / 1000)}`);
    expect(lines).toContain('fluentbit_build_info{version="9.9.9",edition="Wren"} 1');
  });

  it('/api/v2/metrics is cmetrics text: timestamp, name{labels} = value', () => {
    const reg = registry();
    const text = renderCmetricsText(reg, INFO, Date.UTC(2025, 0, 2, 3, 4, 5, 678));
    expect(text).toContain('2025-01-02T03:04:05.678000000Z fluentbit_input_records_total{name="tail.0"} = 120\n');
    expect(text).toContain('2025-01-02T03:04:05.678000000Z fluentbit_output_errors_total{name="es.0"} = 3\n');
  });
});

describe('health, as Fluent Bit defines it', () => {
  const svc = (over: Partial<ServiceConfig> = {}) => ({ healthCheck: true, hcErrorsCount: 2, hcRetryFailureCount: 1, hcPeriodMs: 60_000, ...over }) as ServiceConfig;

  it('counts output errors and exhausted retries within hc_period; unhealthy only above the limits', () => {
    const reg = new MetricsRegistry();
    const out = reg.instance('output', 'http.0', 'http');
    const filter = reg.instance('filter', 'grep.0', 'grep');
    filter.add('errors', 10); // filters do not count
    out.add('errors', 2);
    out.add('retries_failed', 1);
    expect(healthState(reg, svc())).toEqual({ healthy: true, errors: 2, retries_failed: 1, error_limit: 2, retry_failure_limit: 1, period_limit: 60 });
    out.add('errors');
    expect(healthState(reg, svc()).healthy).toBe(false);
    // once the window has passed them, they no longer count
    expect(healthState(reg, svc(), Date.now() + 61_000)).toMatchObject({ healthy: true, errors: 0, retries_failed: 0 });
  });

  it('with health_check off, always healthy', () => {
    const reg = new MetricsRegistry();
    reg.instance('output', 'http.0', 'http').add('errors', 100);
    expect(healthState(reg, svc({ healthCheck: false }))).toMatchObject({ healthy: true, errors: 0 });
  });
});
