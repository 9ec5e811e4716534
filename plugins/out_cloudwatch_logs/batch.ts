import type { EventData } from '../../src/engine/event-data.js';
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, type Encoded } from './encode.js';
import type { Router } from './route.js';

/** How far back and ahead the service takes events, and the longest span of one batch. */
export const MAX_AGE_MS = 14 * 86_400_000;
export const MAX_AHEAD_MS = 2 * 3_600_000;
export const MAX_SPAN_MS = 86_400_000;

/** One PutLogEvents call: indices (into the chunk's events) sorted by time. */
export interface PutBatch {
  group: string;
  stream: string;
  idx: number[];
  bytes: number;
}

/** The calls of one stream, in the order they must be made. */
export interface StreamPlan {
  group: string;
  stream: string;
  batches: PutBatch[];
}

export interface Plan {
  streams: StreamPlan[];
  /** Events not sent: older than 14 days / more than 2 h ahead of `now`. */
  tooOld: number;
  tooNew: number;
}

export interface Limits {
  maxEvents: number;
  maxBytes: number;
  maxSpanMs: number;
}

const SERVICE_LIMITS: Limits = { maxEvents: MAX_BATCH_EVENTS, maxBytes: MAX_BATCH_BYTES, maxSpanMs: MAX_SPAN_MS };

/**
 * Group a chunk's encoded events by log group and stream (first appearance order), drop the ones
 * the service would refuse for their age, sort each stream by time (stable), and cut it into
 * PutLogEvents calls that respect the count, byte and 24 h span limits.
 */
export function planBatches(data: EventData, tag: string, enc: Encoded, router: Router, now: number, limits: Limits = SERVICE_LIMITS): Plan {
  const plan: Plan = { streams: [], tooOld: 0, tooNew: 0 };
  const oldest = now - MAX_AGE_MS;
  const newest = now + MAX_AHEAD_MS;
  const groups = new Map<string, Map<string, number[]>>();
  const order: Array<[string, string, number[]]> = [];
  const fixed = router.fixed;
  const fixedGroup = fixed ? router.group({}, tag) : '';
  const fixedStream = fixed ? router.plainStream(tag) : '';
  let fixedIdx: number[] | undefined;

  for (let i = 0; i < data.count; i++) {
    if (enc.msgs[i] === undefined) continue;
    const t = enc.times[i]!;
    if (t < oldest) { plan.tooOld++; continue; }
    if (t > newest) { plan.tooNew++; continue; }
    if (fixed) {
      if (!fixedIdx) order.push([fixedGroup, fixedStream, fixedIdx = []]);
      fixedIdx.push(i);
      continue;
    }
    const rec = data.record(i);
    const g = router.group(rec, tag);
    const s = router.stream(rec, tag);
    let streams = groups.get(g);
    if (!streams) groups.set(g, streams = new Map());
    let idx = streams.get(s);
    if (!idx) {
      streams.set(s, idx = []);
      order.push([g, s, idx]);
    }
    idx.push(i);
  }

  for (const [group, stream, idx] of order) {
    sortByTime(idx, enc.times);
    plan.streams.push({ group, stream, batches: cut(group, stream, idx, enc, limits) });
  }
  return plan;
}

/** Stable sort of indices by time; a no-op scan when already in order (the usual case). */
function sortByTime(idx: number[], times: number[]): void {
  for (let i = 1; i < idx.length; i++) {
    if (times[idx[i]!]! < times[idx[i - 1]!]!) {
      idx.sort((a, b) => times[a]! - times[b]! || a - b);
      return;
    }
  }
}

function cut(group: string, stream: string, idx: number[], enc: Encoded, limits: Limits): PutBatch[] {
  const out: PutBatch[] = [];
  let cur: PutBatch | undefined;
  let first = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const size = enc.sizes[i]!;
    const t = enc.times[i]!;
    if (!cur || cur.idx.length >= limits.maxEvents || cur.bytes + size > limits.maxBytes || t - first >= limits.maxSpanMs) {
      cur = { group, stream, idx: [], bytes: 0 };
      out.push(cur);
      first = t;
    }
    cur.idx.push(i);
    cur.bytes += size;
  }
  return out;
}
