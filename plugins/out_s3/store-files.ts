import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, readFile, rename, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The on-disk pieces of the s3 output's staging area (store_dir/<bucket>):
 *
 * - `obj-<id>.json`: an object being assembled (its tag, key, multipart upload id, the ETags of
 *   the parts uploaded), replaced atomically (write, fsync, rename, fsync the folder);
 * - `obj-<id>.<n>.wbuf`: its n-th piece (part n of a multipart upload), appended to one chunk at a
 *   time. Each append is a frame: 'WRN1', payload length (u32 LE), record count (u32 LE), the
 *   payload (JSON lines), the payload length again; then fdatasync. A crash (kill -9, power loss)
 *   can leave a torn last frame: reading stops at the first frame that does not check out and the
 *   file is cut back to the frames before it (their chunks were acknowledged; the torn one was
 *   not, so the engine still has it).
 * - `index`: the $INDEX counter; `lock`: the pid of the Wren using the folder.
 */
export const FRAME_HEAD = 12;
export const FRAME_TAIL = 4;
const MAGIC = 0x314e5257; // 'WRN1' little-endian

export function frameHeader(payloadLen: number, records: number): Buffer {
  const h = Buffer.allocUnsafe(FRAME_HEAD);
  h.writeUInt32LE(MAGIC, 0);
  h.writeUInt32LE(payloadLen, 4);
  h.writeUInt32LE(records, 8);
  return h;
}

export function frameTail(payloadLen: number): Buffer {
  const t = Buffer.allocUnsafe(FRAME_TAIL);
  t.writeUInt32LE(payloadLen, 0);
  return t;
}

export interface PieceContents {
  /** Concatenated payloads. */
  data: Buffer;
  records: number;
  /** Bytes of whole frames (where a torn tail starts). */
  validBytes: number;
  fileBytes: number;
}

/** Read a piece's frames; a torn or garbled tail is left out (see validBytes). */
export function parsePiece(file: Buffer): PieceContents {
  const payloads: Buffer[] = [];
  let at = 0;
  let records = 0;
  let size = 0;
  while (at + FRAME_HEAD + FRAME_TAIL <= file.length) {
    if (file.readUInt32LE(at) !== MAGIC) break;
    const len = file.readUInt32LE(at + 4);
    const end = at + FRAME_HEAD + len;
    if (end + FRAME_TAIL > file.length || file.readUInt32LE(end) !== len) break;
    payloads.push(file.subarray(at + FRAME_HEAD, end));
    records += file.readUInt32LE(at + 8);
    size += len;
    at = end + FRAME_TAIL;
  }
  return { data: payloads.length === 1 ? payloads[0]! : Buffer.concat(payloads, size), records, validBytes: at, fileBytes: file.length };
}

export async function readPiece(path: string, repair: boolean): Promise<PieceContents> {
  const c = parsePiece(await readFile(path));
  if (repair && c.validBytes < c.fileBytes) await truncate(path, c.validBytes);
  return c;
}

/** An open piece: frames appended and synced one at a time. */
export class PieceWriter {
  private constructor(private readonly fh: FileHandle, public bytes: number) {}

  static async open(path: string): Promise<PieceWriter> {
    const fh = await open(path, 'a');
    const { size } = await fh.stat();
    return new PieceWriter(fh, size);
  }

  /** Append one frame and make it durable. */
  async append(payload: Buffer, records: number): Promise<void> {
    const head = frameHeader(payload.length, records);
    const tail = frameTail(payload.length);
    await this.fh.writev([head, payload, tail]);
    await this.fh.datasync();
    this.bytes += head.length + payload.length + tail.length;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** fsync a folder, so a file created or renamed in it survives a crash. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // some filesystems do not allow it; the data files themselves are synced
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Replace a small file atomically and durably. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  syncDir(dirname(path));
}

export function writeAtomicSync(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDir(dirname(path));
}

export function readTextSync(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
