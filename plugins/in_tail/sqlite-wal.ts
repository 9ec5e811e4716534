/**
 * Reading a SQLite database that Fluent Bit left in WAL mode (its default `db.journal_mode`).
 *
 * SQLite in WAL mode appends committed pages to `<db>-wal` and copies them into the main file only
 * at a checkpoint (when the last connection closes, or every ~1000 pages). A Fluent Bit stopped
 * with kill -9 (or after its grace period) leaves its latest offsets in the WAL. Wren loads the db
 * into an in-memory SQLite, which cannot read a WAL, so the committed frames are applied to the
 * main file's image here, following the file format (sqlite.org/fileformat2.html, "The WAL file"):
 *
 * - a 32-byte header: magic 0x377f0682/3 (the low bit gives the checksum byte order), format
 *   version, page size, checkpoint sequence, two salts, a checksum of the first 24 bytes;
 * - frames of a 24-byte header (page number, db size in pages for a commit frame else 0, the two
 *   salts, a running checksum over the first 8 header bytes and the page) followed by the page.
 *
 * A frame counts when its salts equal the header's and its running checksum is right; the frames
 * up to the last valid commit frame are the committed state. Anything after (a torn write, an
 * uncommitted transaction, frames of an older WAL generation) is ignored, as SQLite does.
 */

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** The db image with the WAL's committed frames applied, and how many frames that was. */
export interface WalResult {
  image: Uint8Array;
  frames: number;
}

/** Apply `wal` (the bytes of `<db>-wal`) to `main` (the bytes of the db file); `main` is not modified. */
export function applyWal(main: Uint8Array, wal: Uint8Array): WalResult {
  if (wal.length < WAL_HEADER) return { image: main, frames: 0 };
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return { image: main, frames: 0 };
  const bigEndian = (magic & 1) === 1;
  const pageSize = view.getUint32(8) === 1 ? 65536 : view.getUint32(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return { image: main, frames: 0 };
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  let sum = checksum(view, 0, 24, bigEndian, 0, 0);
  if (sum[0] !== view.getUint32(24) || sum[1] !== view.getUint32(28)) return { image: main, frames: 0 };

  const pages = new Map<number, number>(); // page number → offset of its data in the WAL (last committed wins)
  let pending: [number, number][] = [];
  let dbPages = -1;
  let frames = 0;
  for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= wal.length; at += FRAME_HEADER + pageSize) {
    if (view.getUint32(at + 8) !== salt1 || view.getUint32(at + 12) !== salt2) break;
    sum = checksum(view, at, 8, bigEndian, sum[0], sum[1]);
    sum = checksum(view, at + FRAME_HEADER, pageSize, bigEndian, sum[0], sum[1]);
    if (sum[0] !== view.getUint32(at + 16) || sum[1] !== view.getUint32(at + 20)) break;
    const pgno = view.getUint32(at);
    if (pgno === 0) break;
    pending.push([pgno, at + FRAME_HEADER]);
    const commitSize = view.getUint32(at + 4);
    if (commitSize !== 0) {
      for (const [p, off] of pending) pages.set(p, off);
      frames += pending.length;
      pending = [];
      dbPages = commitSize;
    }
  }
  if (dbPages < 0) return { image: main, frames: 0 };
  const image = new Uint8Array(dbPages * pageSize);
  image.set(main.subarray(0, Math.min(main.length, image.length)));
  for (const [pgno, off] of pages) {
    if (pgno <= dbPages) image.set(wal.subarray(off, off + pageSize), (pgno - 1) * pageSize);
  }
  return { image, frames };
}

/**
 * A db image read in memory must not say "WAL mode" (bytes 18 and 19 of the header = 2): an
 * in-memory SQLite would look for a WAL it cannot have. Once the WAL is applied, the image is an
 * ordinary rollback-journal database (1, 1).
 */
export function asRollbackImage(image: Uint8Array): Uint8Array {
  if (image.length >= 100 && (image[18] === 2 || image[19] === 2)) {
    const copy = new Uint8Array(image);
    copy[18] = 1;
    copy[19] = 1;
    return copy;
  }
  return image;
}

/** SQLite's WAL checksum: 32-bit words in pairs, s0 += x0 + s1, s1 += x1 + s0. */
function checksum(view: DataView, start: number, len: number, bigEndian: boolean, s0: number, s1: number): [number, number] {
  for (let i = start; i < start + len; i += 8) {
    s0 = (s0 + view.getUint32(i, !bigEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, !bigEndian) + s0) >>> 0;
  }
  return [s0, s1];
}
