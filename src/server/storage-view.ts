import type { InstanceMetrics, MetricsRegistry } from '../engine/metrics.js';

const gauge = (m: InstanceMetrics, name: string): number => m.gauges.get(name)?.() ?? 0;

/** Storage totals over every output's chunks (filesystem buffering). */
export function storageTotals(reg: MetricsRegistry): { mem: number; up: number; down: number; bytesOnDisk: number; quarantined: number } {
  const t = { mem: 0, up: 0, down: 0, bytesOnDisk: 0, quarantined: 0 };
  for (const m of reg.instances()) {
    if (m.kind !== 'output') continue;
    t.mem += gauge(m, 'storage_mem_chunks');
    t.up += gauge(m, 'storage_fs_chunks_up');
    t.down += gauge(m, 'storage_fs_chunks_down');
    t.bytesOnDisk += gauge(m, 'storage_bytes_on_disk');
    t.quarantined += m.counters.get('storage_chunks_quarantined') ?? 0;
  }
  return t;
}

/**
 * `GET /api/v1/storage`: Fluent Bit's shape (`storage_layer.chunks` totals, `input_chunks` per
 * input), plus `output_chunks` per output: Wren keeps chunk files per output, so that is where
 * chunks up and down, bytes on disk and quarantined files are counted.
 */
export function storageV1(reg: MetricsRegistry): Record<string, unknown> {
  const t = storageTotals(reg);
  const inputs: Record<string, unknown> = {};
  const outputs: Record<string, unknown> = {};
  for (const m of reg.instances()) {
    if (m.kind === 'input') {
      inputs[m.id] = { status: { overlimit: gauge(m, 'paused') > 0, mem_size: `${gauge(m, 'buffered_bytes')}b` } };
    } else if (m.kind === 'output' && m.gauges.has('storage_bytes_on_disk')) {
      outputs[m.id] = {
        chunks: { up: gauge(m, 'storage_fs_chunks_up'), down: gauge(m, 'storage_fs_chunks_down'), mem: gauge(m, 'storage_mem_chunks') },
        files: { chunks: gauge(m, 'storage_chunks_on_disk'), bytes: gauge(m, 'storage_bytes_on_disk'), quarantined: m.counters.get('storage_chunks_quarantined') ?? 0 },
      };
    }
  }
  return {
    storage_layer: {
      chunks: { total_chunks: t.mem + t.up + t.down, mem_chunks: t.mem, fs_chunks: t.up + t.down, fs_chunks_up: t.up, fs_chunks_down: t.down },
    },
    input_chunks: inputs,
    output_chunks: outputs,
  };
}
