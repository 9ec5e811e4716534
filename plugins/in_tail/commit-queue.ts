/**
 * Per-file offset commits. Every emitted batch carries the file offset that is safe once the
 * batch has left Wren (the end of its last whole line, or the start of a container line still
 * being rejoined). Batches finish out of order; the committed offset only moves over the
 * contiguous prefix of finished batches, so a restart never skips an undelivered line.
 */
export class CommitQueue {
  /** Offsets of batches not yet committed, in emit order; `done` marks finished ones. */
  private offsets: number[] = [];
  private done: boolean[] = [];
  private head = 0;
  /** Sequence number of offsets[head]. */
  private headSeq = 0;
  /** Bumped by `reset`: completions of batches from before a truncation are ignored. */
  private generation = 0;
  committed: number;

  constructor(
    start: number,
    private readonly onCommit: (offset: number) => void,
  ) {
    this.committed = start;
  }

  /** Number of batches emitted and not yet finished. */
  get inFlight(): number {
    let n = 0;
    for (let i = this.head; i < this.done.length; i++) if (!this.done[i]) n++;
    return n;
  }

  /** Register a batch whose completion makes `offset` safe; returns its completion callback. */
  add(offset: number): () => void {
    const seq = this.headSeq + (this.offsets.length - this.head);
    this.offsets.push(offset);
    this.done.push(false);
    const gen = this.generation;
    return () => {
      if (gen === this.generation) this.finish(seq);
    };
  }

  /** An offset that is safe as soon as every earlier batch is (lines consumed without an event). */
  advance(offset: number): void {
    if (this.head === this.offsets.length) {
      this.commit(offset);
      return;
    }
    this.offsets.push(offset);
    this.done.push(true);
  }

  /** Forget batches in flight (the file was truncated) and commit `offset`. */
  reset(offset: number): void {
    this.generation++;
    this.offsets = [];
    this.done = [];
    this.head = 0;
    this.committed = -1;
    this.commit(offset);
  }

  private finish(seq: number): void {
    const i = this.head + (seq - this.headSeq);
    if (i < this.head || i >= this.done.length || this.done[i]) return;
    this.done[i] = true;
    let last = -1;
    while (this.head < this.done.length && this.done[this.head]) {
      last = this.offsets[this.head]!;
      this.head++;
      this.headSeq++;
    }
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets = this.offsets.slice(this.head);
      this.done = this.done.slice(this.head);
      this.head = 0;
    }
    if (last >= 0) this.commit(last);
  }

  private commit(offset: number): void {
    if (offset === this.committed) return;
    this.committed = offset;
    this.onCommit(offset);
  }
}
