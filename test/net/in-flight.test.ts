import { expect, it } from 'vitest';
import { monotonicMs } from '../../src/clock.js';
import { InFlight, type Cancellable } from '../../src/net/in-flight.js';

// The deadlines and abort signals of requests in flight: one timer, one listener per signal.

function request(deadline: number, cut: string[], name: string): Cancellable & { at?: number } {
  const c: Cancellable & { at?: number } = {
    deadline,
    cutShort: (why) => {
      cut.push(`${name}:${why}`);
      c.at = monotonicMs();
    },
  };
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('cuts each request at its own deadline, earliest first, whatever the order they came in; a finished one never', async () => {
  const f = new InFlight();
  const cut: string[] = [];
  const t0 = monotonicMs();
  const late = request(t0 + 150, cut, 'late');
  const soon = request(t0 + 40, cut, 'soon');
  const done = request(t0 + 80, cut, 'done');
  const never = request(Infinity, cut, 'never');
  for (const c of [late, soon, done, never]) f.add(c, undefined);
  expect(f.size).toBe(3); // no deadline: not watched
  await sleep(60);
  expect(cut).toEqual(['soon:deadline']);
  f.delete(done, undefined); // answered before its deadline
  await sleep(150);
  expect(cut).toEqual(['soon:deadline', 'late:deadline']);
  expect(soon.at! - t0).toBeGreaterThanOrEqual(39);
  expect(late.at! - t0).toBeGreaterThanOrEqual(149);
  expect(f.size).toBe(0);
});

it('an abort cuts the requests of that signal only, with one listener however many requests it saw', async () => {
  const f = new InFlight();
  const cut: string[] = [];
  const a = new AbortController();
  const b = new AbortController();
  let listeners = 0;
  const add = a.signal.addEventListener.bind(a.signal);
  a.signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    listeners++;
    add(...args);
  }) as AbortSignal['addEventListener'];
  const gone = request(Infinity, cut, 'gone');
  f.add(gone, a.signal);
  f.delete(gone, a.signal);
  const one = request(monotonicMs() + 10_000, cut, 'one');
  const two = request(Infinity, cut, 'two');
  const other = request(Infinity, cut, 'other');
  f.add(one, a.signal);
  f.add(two, a.signal);
  f.add(other, b.signal);
  expect(listeners).toBe(1);
  a.abort(new Error('stopping'));
  expect(cut.sort()).toEqual(['one:abort', 'two:abort']);
  expect(f.size).toBe(0); // its deadline is no longer watched either
  b.abort();
  expect(cut).toContain('other:abort');
  await sleep(5);
});
