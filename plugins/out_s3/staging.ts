import { mkdirSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { PieceWriter, readPiece, readTextSync, syncDir, writeAtomic, writeAtomicSync } from './store-files.js';

/**
 * The objects the s3 output is assembling, staged in its folder (see store-files.ts for the
 * format). An object belongs to one tag and has one key, chosen when it starts; its pieces are
 * its multipart parts (1, 2, …) or, sent with PutObject, its single piece. The last piece of an
 * object still taking data is open; a sealed piece is ready to upload. Pieces stay on disk until
 * the object is complete, so a multipart upload that S3 lost (aborted, expired) is started again
 * from them.
 */
export interface ObjectState {
  v: 1;
  id: number;
  tag: string;
  key: string;
  /** Epoch ms the object was started (upload_timeout counts from here). */
  created: number;
  put: boolean;
  uploadId?: string;
  parts: Array<{ n: number; etag: string }>;
}

export interface Piece {
  n: number;
  path: string;
  /** Bytes in the file (frames). */
  bytes: number;
  records: number;
  sealed: boolean;
}

export class StagedObject {
  closing = false;
  /** Upload attempts that failed in a row, and when to try again. */
  failures = 0;
  notBefore = 0;
  retryAfterMs?: number;
  lastError?: string;
  /** Multipart uploads started again in a row (NoSuchUpload, refused parts). */
  restarts = 0;
  writer?: PieceWriter;

  constructor(readonly state: ObjectState, readonly pieces: Piece[], readonly jsonPath: string) {}

  get open(): Piece | undefined {
    const last = this.pieces[this.pieces.length - 1];
    return last && !last.sealed ? last : undefined;
  }

  get stagedBytes(): number {
    let n = 0;
    for (const p of this.pieces) n += p.bytes;
    return n;
  }

  get records(): number {
    let n = 0;
    for (const p of this.pieces) n += p.records;
    return n;
  }

  etag(n: number): string | undefined {
    return this.state.parts.find((p) => p.n === n)?.etag;
  }

  async save(): Promise<void> {
    await writeAtomic(this.jsonPath, JSON.stringify(this.state));
  }
}

const OBJ_RE = /^obj-(\d+)\.json$/;
const PIECE_RE = /^obj-(\d+)\.(\d+)\.wbuf$/;

export class Staging {
  readonly objects: StagedObject[] = [];
  private nextId = 1;
  private usage = 0;
  private index = 0;

  constructor(readonly dir: string, private readonly log: Logger) {}

  /** Take the folder (one Wren at a time), read what a previous run left. */
  async open(label: string): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.lock(label);
    this.index = Number(readTextSync(join(this.dir, 'index'))?.trim() ?? '0') || 0;
    const names = readdirSync(this.dir);
    const pieces = new Map<number, Piece[]>();
    for (const name of names) {
      const m = PIECE_RE.exec(name);
      if (!m) continue;
      const list = pieces.get(Number(m[1])) ?? [];
      list.push({ n: Number(m[2]), path: join(this.dir, name), bytes: 0, records: 0, sealed: true });
      pieces.set(Number(m[1]), list);
    }
    for (const name of names.sort()) {
      if (name.endsWith('.tmp')) {
        rmSync(join(this.dir, name), { force: true });
        continue;
      }
      const m = OBJ_RE.exec(name);
      if (!m) continue;
      const id = Number(m[1]);
      this.nextId = Math.max(this.nextId, id + 1);
      let state: ObjectState;
      try {
        state = JSON.parse(readTextSync(join(this.dir, name)) ?? '') as ObjectState;
      } catch {
        this.log.error(`s3: cannot read ${join(this.dir, name)}; its staged data is left in place`);
        continue;
      }
      const list = (pieces.get(id) ?? []).sort((a, b) => a.n - b.n);
      pieces.delete(id);
      for (const p of list) {
        const c = await readPiece(p.path, true);
        p.bytes = c.validBytes;
        p.records = c.records;
        this.usage += p.bytes;
        if (c.validBytes < c.fileBytes) this.log.warn(`s3: ${p.path} ended in a torn write (a crash while staging a chunk that was not yet acknowledged); cut back to ${c.validBytes} bytes`);
      }
      for (const p of list) if (p.bytes === 0) rmSync(p.path, { force: true });
      const obj = new StagedObject(state, list.filter((p) => p.bytes > 0), join(this.dir, name));
      // parts recorded for pieces that are gone cannot be completed: start that upload again
      if (state.parts.some((x) => !obj.pieces.some((p) => p.n === x.n))) {
        state.uploadId = undefined;
        state.parts = [];
      }
      obj.closing = true;
      this.objects.push(obj);
    }
    for (const [id, list] of pieces) {
      for (const p of list) {
        this.log.warn(`s3: ${p.path} belongs to no object (object ${id} was never recorded); removing it`);
        rmSync(p.path, { force: true });
      }
    }
    this.objects.sort((a, b) => a.state.id - b.state.id);
    if (this.objects.length > 0) {
      const records = this.objects.reduce((n, o) => n + o.records, 0);
      this.log.info({ objects: this.objects.length, records, bytes: this.usage }, `s3: found ${this.objects.length} object(s) staged by a previous run (${records} records); uploading them`);
    }
  }

  private lock(label: string): void {
    const path = join(this.dir, 'lock');
    const other = Number(readTextSync(path)?.trim());
    if (other && other !== process.pid && alive(other)) {
      throw new ConfigError(`${label}: store_dir ${this.dir} is in use by another Wren (pid ${other})`, undefined, {
        hint: 'give each Wren, and each s3 output to the same bucket, its own store_dir',
      });
    }
    writeFileSync(path, String(process.pid));
  }

  unlock(): void {
    try {
      if (Number(readTextSync(join(this.dir, 'lock'))) === process.pid) unlinkSync(join(this.dir, 'lock'));
    } catch {
      // gone already
    }
  }

  get bytes(): number {
    return this.usage;
  }

  /** The object of `tag` still taking data. */
  current(tag: string): StagedObject | undefined {
    for (let i = this.objects.length - 1; i >= 0; i--) {
      const o = this.objects[i]!;
      if (o.state.tag === tag && !o.closing) return o;
    }
    return undefined;
  }

  /** Start an object (its key chosen by `keyFor`, which gets the $INDEX to use). */
  async create(tag: string, put: boolean, created: number, keyFor: (index: number) => string, indexed: boolean): Promise<StagedObject> {
    if (indexed) {
      this.index++;
      writeAtomicSync(join(this.dir, 'index'), String(this.index));
    }
    const id = this.nextId++;
    const state: ObjectState = { v: 1, id, tag, key: keyFor(this.index), created, put, parts: [] };
    const obj = new StagedObject(state, [], join(this.dir, `obj-${String(id).padStart(9, '0')}.json`));
    await obj.save();
    this.objects.push(obj);
    return obj;
  }

  /** Append a chunk's bytes to the object's open piece (a new piece when none is open). */
  async append(obj: StagedObject, payload: Buffer, records: number): Promise<Piece> {
    let piece = obj.open;
    if (!piece) {
      const n = obj.pieces.length + 1;
      piece = { n, path: obj.jsonPath.replace(/\.json$/, `.${n}.wbuf`), bytes: 0, records: 0, sealed: false };
      obj.pieces.push(piece);
      await obj.writer?.close();
      obj.writer = await PieceWriter.open(piece.path);
      syncDir(this.dir);
    }
    const before = obj.writer!.bytes;
    await obj.writer!.append(payload, records);
    piece.bytes = obj.writer!.bytes;
    piece.records += records;
    this.usage += piece.bytes - before;
    return piece;
  }

  async seal(obj: StagedObject): Promise<void> {
    const p = obj.open;
    if (p) p.sealed = true;
    await obj.writer?.close();
    obj.writer = undefined;
  }

  /** The object is in S3: forget it and its files. */
  async remove(obj: StagedObject): Promise<void> {
    await obj.writer?.close();
    obj.writer = undefined;
    for (const p of obj.pieces) {
      await unlink(p.path).catch(() => undefined);
      this.usage -= p.bytes;
    }
    await unlink(obj.jsonPath).catch(() => undefined);
    syncDir(this.dir);
    const i = this.objects.indexOf(obj);
    if (i >= 0) this.objects.splice(i, 1);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
