import { deflateSync, gzipSync } from 'node:zlib';

/** What ends a record that was cut to fit (the Go plugins' and Fluent Bit's marker). */
export const TRUNCATED_SUFFIX = Buffer.from('[Truncated...]');

/**
 * Compress one record (gzip, or zlib: the Go kinesis plugin's `zlib`), cutting its input when the
 * compressed form is over `max` bytes: the input is shortened in proportion (to 90% of the
 * estimate, at most 10 rounds), ending with the truncation marker, and compressed again.
 * Returns undefined when even that cannot fit. Runs on the main thread: records are small.
 */
export function compressRecord(kind: 'gzip' | 'zlib', input: Buffer, max: number): { data: Buffer; truncated: boolean } | undefined {
  const z = kind === 'gzip' ? (b: Buffer) => gzipSync(b, { level: 6 }) : (b: Buffer) => deflateSync(b, { level: 6 });
  let out = z(input);
  if (out.length <= max) return { data: out, truncated: false };
  let len = input.length;
  for (let round = 0; round < 10; round++) {
    let next = Math.floor(((max * len) / out.length) * 0.9);
    if (next >= len) next = len - 1;
    if (next < TRUNCATED_SUFFIX.length) return undefined;
    len = next;
    const cut = Buffer.allocUnsafe(len);
    input.copy(cut, 0, 0, len - TRUNCATED_SUFFIX.length);
    TRUNCATED_SUFFIX.copy(cut, len - TRUNCATED_SUFFIX.length);
    out = z(cut);
    if (out.length <= max) return { data: out, truncated: true };
  }
  return undefined;
}
