import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/engine/backoff.js';
import { compileMatch } from '../../src/engine/match.js';
import { MetricsRegistry } from '../../src/engine/metrics.js';
import { OutputRunner } from '../../src/engine/output-runner.js';
import { Receipt } from '../../src/engine/receipt.js';
import type { Chunk, FlushResult, LogEvent } from '../../src/engine/types.js';
import { createLogger } from '../../src/log.js';

const ev = (n: number): LogEvent[] => Array.from({ length: n }, (_, i) => ({ time: 1000 + i, record: { i } }));

function runner(flush: (c: Chunk) => Promise<FlushResult>, opts: { retryLimit?: number; workers?: number } = {}) {
  const reg = new MetricsRegistry();
  const metrics = reg.instance('output', 'o.0', 'test');
  let dropped = 0;
  const r = new OutputRunner({
    id: 'o.0', instance: { flush }, metrics, log: createLogger('off'), workers: opts.workers ?? 1,
    retryLimit: opts.retryLimit ?? Infinity, schedulerBaseMs: 5, schedulerCapMs: 20, onDrop: (n) => (dropped += n),
  });
  const owner = { done: 0, receiptDone(b: number) { this.done += b; } };
  return { r, metrics, owner, dropped: () => dropped };
}

describe('OutputRunner', () => {
  it('retries only the events an output names, and settles receipts when all are out', async () => {
    const seen: number[][] = [];
    let call = 0;
    const { r, metrics, owner } = runner(async (c) => {
      seen.push(c.events.map((e) => e.record.i as number));
      call++;
      if (call === 1) return { status: 'retry', reason: 'partial', only: c.events.filter((e) => (e.record.i as number) % 2 === 1) };
      return { status: 'ok' };
    });
    const onDone: number[] = [];
    const rc = new Receipt(owner, 100, () => onDone.push(1));
    r.append('t', ev(4), 100, rc);
    rc.release();
    expect(onDone).toEqual([]);
    await r.drain();
    expect(seen).toEqual([[0, 1, 2, 3], [1, 3]]);
    expect(onDone).toEqual([1]);
    expect(owner.done).toBe(100);
    expect(metrics.get('proc_records')).toBe(4);
    expect(metrics.get('retries')).toBe(1);
    expect(metrics.get('buffered_bytes')).toBe(0);
  });

  it('drops a chunk after retry_limit retries and counts it', async () => {
    let calls = 0;
    const { r, metrics, dropped } = runner(async () => (calls++, { status: 'retry', reason: 'down' }), { retryLimit: 2 });
    const rc = new Receipt({ receiptDone() {} }, 10);
    r.append('t', ev(3), 10, rc);
    rc.release();
    await r.drain();
    expect(calls).toBe(3);
    expect(dropped()).toBe(3);
    expect(metrics.get('retries_failed')).toBe(1);
    expect(metrics.get('dropped_records')).toBe(3);
  });

  it('turns a thrown flush into a retry, never a crash', async () => {
    let calls = 0;
    const { r, metrics } = runner(async () => {
      if (calls++ === 0) throw new Error('boom');
      return { status: 'ok' };
    });
    const rc = new Receipt({ receiptDone() {} }, 1);
    r.append('t', ev(1), 1, rc);
    rc.release();
    await r.drain();
    expect(metrics.get('errors')).toBe(1);
    expect(metrics.get('proc_records')).toBe(1);
  });

  it('keeps one chunk per tag and flushes at most `workers` at a time', async () => {
    let inFlight = 0;
    let peak = 0;
    const tags: string[] = [];
    const { r } = runner(async (c) => {
      tags.push(c.tag);
      peak = Math.max(peak, ++inFlight);
      await new Promise((res) => setTimeout(res, 10));
      inFlight--;
      return { status: 'ok' };
    }, { workers: 2 });
    const rc = new Receipt({ receiptDone() {} }, 1);
    for (const t of ['a', 'b', 'c', 'a']) r.append(t, ev(1), 1, rc);
    rc.release();
    await r.drain();
    expect(tags.sort()).toEqual(['a', 'b', 'c']);
    expect(peak).toBe(2);
  });

  it('abandon drops what is left, flushes under way included, and releases receipts', async () => {
    const { r, dropped } = runner(() => new Promise(() => {}));
    const owner = { done: 0, receiptDone(b: number) { this.done += b; } };
    const rc = new Receipt(owner, 5);
    r.append('t', ev(2), 5, rc);
    rc.release();
    r.tick(); // in flight, never answers
    r.append('u', ev(3), 5, rc);
    expect(r.abandon('grace')).toBe(5);
    expect(dropped()).toBe(5);
    expect(owner.done).toBe(5);
  });
});

describe('backoff and matching', () => {
  it('uses full jitter under an exponential ceiling, and Retry-After when given', () => {
    expect(retryDelayMs(1, 100, 10_000, undefined, () => 0.999)).toBe(99);
    expect(retryDelayMs(4, 100, 10_000, undefined, () => 0.999)).toBe(799);
    expect(retryDelayMs(30, 100, 10_000, undefined, () => 0.5)).toBe(5000);
    expect(retryDelayMs(3, 100, 10_000, 2500)).toBe(2500);
    expect(retryDelayMs(3, 100, 1000, 2500)).toBe(1000);
  });

  it('matches tags with Fluent Bit wildcards', () => {
    expect(compileMatch('*')('anything')).toBe(true);
    expect(compileMatch('kube.*')('kube.var.log.containers.a.log')).toBe(true);
    expect(compileMatch('kube.*')('kubex')).toBe(false);
    expect(compileMatch('*.log')('a.b.log')).toBe(true);
    expect(compileMatch('app')('app')).toBe(true);
    expect(compileMatch('app')('app2')).toBe(false);
  });
});
