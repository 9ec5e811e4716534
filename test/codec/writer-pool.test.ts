import { expect, test } from 'vitest';
import { WriterPool } from '../../src/codec/byte-writer.js';

test('a writer for a chunk of records is sized from what the last chunk added per record, so it need not grow', () => {
  const pool = new WriterPool(2, 64 * 1024, 16);
  const first = pool.forRecords(1_000_000, 5000); // 16 added per record at first
  expect(first.buf.length).toBeGreaterThanOrEqual(1_000_000 + 5000 * 16);
  first.pos = 1_000_000 + 5000 * 100; // the encoding added 100 bytes a record
  pool.learn(first, 1_000_000, 5000);
  // the next chunk, of the same kind and twice as many records: room for its encoding at once
  const next = pool.forRecords(2_000_000, 10_000);
  expect(next.buf.length).toBeGreaterThanOrEqual(2_000_000 + 10_000 * 100);
  // a free buffer large enough is reused
  pool.give(next);
  expect(pool.forRecords(1_000_000, 5000).buf).toBe(next.buf);
  // nothing learned from an empty chunk
  pool.learn(first, 0, 0);
  expect(pool.forRecords(0, 1000).buf.length).toBeGreaterThanOrEqual(1000 * 100);
});
