import { describe, expect, it } from 'vitest';
import type { Resolution } from '../../src/aws/chain.js';
import { BACKGROUND_INTERVAL_MS, CredentialCache } from '../../src/aws/memoize.js';
import { captureLogger } from './helpers.js';

/** A resolver that counts calls, can be made to fail or wait, and issues numbered keys. */
function resolver(ttlMs: number | undefined, clock: { t: number }) {
  const state = { calls: 0, fail: false, gate: undefined as Promise<void> | undefined };
  const resolve = async (): Promise<Resolution> => {
    state.calls++;
    const n = state.calls;
    if (state.gate) await state.gate;
    if (state.fail) throw new Error(`resolution ${n} failed`);
    return {
      credentials: { accessKeyId: `AKID${n}`, secretAccessKey: 's', expiration: ttlMs === undefined ? undefined : new Date(clock.t + ttlMs) },
      provider: 'test', description: '', steps: [],
    };
  };
  return { state, resolve };
}

const MIN = 60_000;

describe('credential cache', () => {
  it('one in-flight resolution for concurrent callers; none at all while fresh', async () => {
    const clock = { t: 1_000_000 };
    const r = resolver(60 * MIN, clock);
    let open!: () => void;
    r.state.gate = new Promise((res) => { open = res; });
    const cache = new CredentialCache(r.resolve, { refreshWindowMs: 5 * MIN, log: captureLogger().log, now: () => clock.t });
    const all = Promise.all(Array.from({ length: 20 }, () => cache.get()));
    open();
    expect(new Set((await all).map((c) => c.accessKeyId))).toEqual(new Set(['AKID1']));
    r.state.gate = undefined;
    for (let i = 0; i < 1000; i++) await cache.get();
    expect(r.state.calls).toBe(1);
  });

  it('long-term keys (no expiration) are never refreshed unless forced', async () => {
    const clock = { t: 0 };
    const r = resolver(undefined, clock);
    const cache = new CredentialCache(r.resolve, { refreshWindowMs: 5 * MIN, log: captureLogger().log, now: () => clock.t });
    await cache.get();
    clock.t += 1000 * MIN;
    await cache.get();
    expect(r.state.calls).toBe(1);
  });

  it('inside the refresh window: refreshes in the background while the current ones keep serving', async () => {
    const clock = { t: 0 };
    const r = resolver(60 * MIN, clock);
    const cache = new CredentialCache(r.resolve, { refreshWindowMs: 5 * MIN, log: captureLogger().log, now: () => clock.t });
    expect((await cache.get()).accessKeyId).toBe('AKID1');
    clock.t += 56 * MIN; // 4 min left
    let open!: () => void;
    r.state.gate = new Promise((res) => { open = res; });
    expect((await cache.get()).accessKeyId).toBe('AKID1'); // served at once
    expect(r.state.calls).toBe(2);
    open();
    await new Promise((res) => setImmediate(res));
    expect((await cache.get()).accessKeyId).toBe('AKID2');
  });

  it('a failed background refresh keeps the current credentials, logs, and retries later', async () => {
    const clock = { t: 0 };
    const r = resolver(60 * MIN, clock);
    const cap = captureLogger();
    const cache = new CredentialCache(r.resolve, { refreshWindowMs: 5 * MIN, log: cap.log, now: () => clock.t });
    await cache.get();
    clock.t += 56 * MIN;
    r.state.fail = true;
    expect((await cache.get()).accessKeyId).toBe('AKID1');
    await new Promise((res) => setImmediate(res));
    expect(cap.lines().some((l) => l.level === 'warn' && /refreshing AWS credentials failed \(resolution 2 failed\); the current ones stay in use/.test(String(l.msg)))).toBe(true);
    await cache.get();
    expect(r.state.calls).toBe(2); // not again right away
    clock.t += BACKGROUND_INTERVAL_MS;
    r.state.fail = false;
    await cache.get();
    await new Promise((res) => setImmediate(res));
    expect((await cache.get()).accessKeyId).toBe('AKID3');
  });

  it('expired credentials are not served: callers wait for fresh ones', async () => {
    const clock = { t: 0 };
    const r = resolver(10 * MIN, clock);
    const cache = new CredentialCache(r.resolve, { refreshWindowMs: 0, log: captureLogger().log, now: () => clock.t });
    await cache.get();
    clock.t += 10 * MIN;
    expect((await cache.get()).accessKeyId).toBe('AKID2');
  });

  it('refresh() forces one new resolution, shared by a burst of callers', async () => {
    const clock = { t: 0 };
    const r = resolver(60 * MIN, clock);
    const cache = new CredentialCache(r.resolve, { refreshWindowMs: 5 * MIN, log: captureLogger().log, now: () => clock.t });
    await cache.get();
    clock.t += 5000;
    await Promise.all([cache.refresh(), cache.refresh(), cache.refresh()]);
    expect(r.state.calls).toBe(2);
    await cache.refresh(); // right after one: reused
    expect(r.state.calls).toBe(2);
    expect((await cache.get()).accessKeyId).toBe('AKID2');
  });
});
