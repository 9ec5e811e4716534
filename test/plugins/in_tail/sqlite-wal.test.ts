import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyWal, asRollbackImage } from '../../../plugins/in_tail/sqlite-wal.js';
import { openSqlite } from './sqlite-file.js';

/**
 * fixtures/fluent-bit-wal.db(-wal): made for this test with the sqlite3 CLI (3.40) in WAL mode,
 * Fluent Bit's table, killed with SIGKILL after three commits: a row at offset 100 checkpointed
 * into the main file, then offset 200, offset 300 and a second row (rotated) only in the WAL.
 */
const FIX = join(import.meta.dirname, 'fixtures');
const main = readFileSync(join(FIX, 'fluent-bit-wal.db'));
const wal = readFileSync(join(FIX, 'fluent-bit-wal.db-wal'));

async function rows(image: Uint8Array): Promise<unknown[][]> {
  const db = await openSqlite(asRollbackImage(image));
  const r = db.exec('SELECT id, name, offset, rotated FROM in_tail_files ORDER BY id')[0]!.values;
  db.close();
  return r;
}

describe('a WAL left by a killed SQLite', () => {
  it('its committed frames are applied to the main file', async () => {
    expect(await rows(main)).toEqual([[1, '/var/log/app.log', 100, 0]]);
    const r = applyWal(main, wal);
    expect(r.frames).toBe(3);
    expect(await rows(r.image)).toEqual([[1, '/var/log/app.log', 300, 0], [2, '/var/log/app.log.1', 50, 1]]);
  });

  it('a torn last frame is ignored, the commits before it kept', async () => {
    const r = applyWal(main, wal.subarray(0, wal.length - 2000));
    expect(r.frames).toBe(2);
    expect(await rows(r.image)).toEqual([[1, '/var/log/app.log', 300, 0]]);
  });

  it('a frame with a bad checksum ends the WAL there; a WAL with a bad header is ignored', async () => {
    const bad = Buffer.from(wal);
    bad[32 + 24 + 4096 + 24 + 100] ^= 0xff; // inside the second frame's page
    const r = applyWal(main, bad);
    expect(r.frames).toBe(1);
    const header = Buffer.from(wal);
    header[10] ^= 0xff;
    expect(applyWal(main, header)).toEqual({ image: main, frames: 0 });
    expect(applyWal(main, Buffer.alloc(10))).toEqual({ image: main, frames: 0 });
  });

  it('the image read in memory no longer says WAL mode', () => {
    expect([main[18], main[19]]).toEqual([2, 2]);
    const img = asRollbackImage(main);
    expect([img[18], img[19]]).toEqual([1, 1]);
    expect(main[18]).toBe(2); // the input is not modified
  });
});
