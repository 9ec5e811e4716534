import type { PluginConfig } from '../config/load.js';
import { errorLine } from '../errors.js';
import type { Logger } from '../log.js';
import { excerpt } from '../redact.js';
import type { InstanceMetrics } from './metrics.js';
import type { FilterInstance, LogEvent } from './types.js';

/** A filter instance as the pipeline runs it. */
export interface FilterRunner {
  id: string;
  instance: FilterInstance;
  metrics: InstanceMetrics;
  log: Logger;
  cfg: PluginConfig;
}

/** Fluent Bit's filter counters; bytes are the input's bytes as read, apportioned per record. */
export function countFilter(f: FilterRunner, before: number, after: number, perEvent: number): undefined {
  const m = f.metrics;
  m.add('records_in', before);
  m.add('records_out', after);
  m.add('bytes', Math.round(after * perEvent));
  if (after < before) {
    m.add('drop_records', before - after);
    m.add('drop_bytes', Math.round((before - after) * perEvent));
  } else if (after > before) {
    m.add('add_records', after - before);
  }
  return undefined;
}

/**
 * A filter threw on a batch: run it again on each record alone (through `call`), so that its
 * error costs only the record(s) it cannot handle. Those are dropped (counted in the filter's
 * dropped_records and given to `onDropped`, logged once per batch with a redacted excerpt): a
 * filter is where policy is applied (grep excludes, modify removes a field, rewrite_tag
 * reroutes), so a record it could not judge must not reach an output as if it had passed.
 * Records before the failing one may see the filter twice; the stock filters give the same
 * result when run again.
 */
export function filterEachAlone(f: FilterRunner, batch: LogEvent[], first: unknown,
  call: (events: LogEvent[]) => LogEvent[] | Promise<LogEvent[]>, onDropped: (n: number) => void): LogEvent[] | Promise<LogEvent[]> {
  f.metrics.add('errors');
  const out: LogEvent[] = [];
  const failed: { ev: LogEvent; err: unknown }[] = [];
  const one = (ev: LogEvent): LogEvent[] | Promise<LogEvent[]> | null => {
    try {
      return call([ev]);
    } catch (err) {
      failed.push({ ev, err });
      return null;
    }
  };
  const done = (): LogEvent[] => {
    reportDropped(f, batch.length, failed, first, onDropped);
    return out;
  };
  for (let k = 0; k < batch.length; k++) {
    const r = one(batch[k]!);
    if (r === null) continue;
    if (Array.isArray(r)) {
      for (const e of r) out.push(e);
      continue;
    }
    return (async () => {
      let pending: Promise<LogEvent[]> | null = r;
      for (let j = k; j < batch.length; j++) {
        const got = pending ?? one(batch[j]!);
        pending = null;
        if (got === null) continue;
        try {
          for (const e of await got) out.push(e);
        } catch (err) {
          failed.push({ ev: batch[j]!, err });
        }
      }
      return done();
    })();
  }
  return done();
}

function reportDropped(f: FilterRunner, n: number, failed: readonly { ev: LogEvent; err: unknown }[], first: unknown, onDropped: (n: number) => void): void {
  if (failed.length === 0) {
    f.log.error(`filter failed on a batch of ${n} record(s) but not on any of them alone; all kept: ${errorLine(first)}`);
    return;
  }
  onDropped(failed.length);
  f.metrics.add('dropped_records', failed.length);
  const one = failed[0]!;
  f.log.error({ records: failed.length, batch: n },
    `filter failed on ${failed.length} of ${n} record(s); those were dropped, the others filtered: ${errorLine(one.err)}; first dropped: ${recordExcerpt(one.ev)}`);
}

/** What a log line shows of a record: capped, redacted; never throws. */
function recordExcerpt(ev: LogEvent): string {
  let text: string;
  try {
    text = JSON.stringify(ev.record) ?? String(ev.record);
  } catch (err) {
    text = `(a record that cannot be written as JSON: ${errorLine(err)})`;
  }
  return excerpt(text, 200);
}
