/**
 * Cut an encoded chunk into requests: runs of consecutive events whose NDJSON stays within
 * `batch_size` bytes. An event that alone is over the cap can never be sent: it is set apart.
 */

/** Events [from, to) of an EncodedBulk. */
export interface Range {
  from: number;
  to: number;
}

export interface Batches {
  ranges: Range[];
  /** Events whose action line and document alone are over the cap. */
  oversize: number[];
}

/** `starts` as in EncodedBulk: starts[i] is event i's offset, starts[n] the end. */
export function cutBatches(starts: Uint32Array, maxBytes: number): Batches {
  const n = starts.length - 1;
  const ranges: Range[] = [];
  const oversize: number[] = [];
  let from = 0;
  for (let i = 0; i < n; i++) {
    const size = starts[i + 1]! - starts[i]!;
    if (size > maxBytes) {
      if (from < i) ranges.push({ from, to: i });
      oversize.push(i);
      from = i + 1;
      continue;
    }
    if (starts[i + 1]! - starts[from]! > maxBytes) {
      ranges.push({ from, to: i });
      from = i;
    }
  }
  if (from < n) ranges.push({ from, to: n });
  return { ranges, oversize };
}

/** The two halves of a range (for a 413); undefined for a single event. */
export function halves(r: Range): [Range, Range] | undefined {
  if (r.to - r.from < 2) return undefined;
  const mid = r.from + Math.floor((r.to - r.from) / 2);
  return [{ from: r.from, to: mid }, { from: mid, to: r.to }];
}
