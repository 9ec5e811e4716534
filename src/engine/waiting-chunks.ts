/**
 * An output's sealed chunks that wait to be flushed: ready now (in order), or waiting out a
 * retry backoff on a timer.
 */
export class WaitingChunks<C extends { seq: number }> {
  private readonly ready: C[] = [];
  private readonly timers = new Map<NodeJS.Timeout, C>();

  get size(): number {
    return this.ready.length + this.timers.size;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  push(c: C): void {
    this.ready.push(c);
  }

  shift(): C | undefined {
    return this.ready.shift();
  }

  /** The ready ones, in order (a copy). */
  readyNow(): C[] {
    return [...this.ready];
  }

  /** Every waiting chunk: ready ones first, then those on a timer. */
  all(): C[] {
    return [...this.ready, ...this.timers.values()];
  }

  /** Every waiting chunk, oldest (lowest seq) first. */
  bySeq(): C[] {
    return this.all().sort((a, b) => a.seq - b.seq);
  }

  /** Ready again after `delay` ms; `onDue` runs then. */
  later(c: C, delay: number, onDue: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.ready.push(c);
      onDue();
    }, delay);
    this.timers.set(t, c);
  }

  /** Those on a timer are ready now: oldest first when `sorted`, else in the order they began waiting. */
  wakeAll(sorted: boolean): void {
    if (this.timers.size === 0) return;
    const waking = [...this.timers];
    this.timers.clear();
    for (const [t] of waking) clearTimeout(t);
    if (sorted) waking.sort((a, b) => a[1].seq - b[1].seq);
    for (const [, c] of waking) this.ready.push(c);
  }

  /** Take one chunk out, ready or on a timer. */
  remove(c: C): void {
    const i = this.ready.indexOf(c);
    if (i >= 0) {
      this.ready.splice(i, 1);
      return;
    }
    for (const [t, w] of this.timers) {
      if (w !== c) continue;
      clearTimeout(t);
      this.timers.delete(t);
      return;
    }
  }

  /** Empty it (timers cleared); returns what waited, ready ones first. */
  clear(): C[] {
    for (const t of this.timers.keys()) clearTimeout(t);
    const all = this.all();
    this.timers.clear();
    this.ready.length = 0;
    return all;
  }
}
