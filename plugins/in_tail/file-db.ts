import type { DbRow } from './db-sqlite.js';
import { loadXxh3, type Marker, markerAt, markerAtPathSync, NO_MARKER, type Xxh3 } from './fingerprint.js';
import type { OffsetsDb } from './offsets-db.js';
import type { TailFile } from './tail-file.js';

/** Keeps each followed file's db row in step with it (offsets, renames, fingerprints). */
export class FileDb {
  private readonly byId = new Map<number, TailFile>();

  private constructor(
    private readonly db: OffsetsDb,
    readonly xxh3: Xxh3,
  ) {
    db.markerOf = (row) => this.markerOf(row);
    db.markerOfSync = (row) => markerAtPathSync(row.name, row.ino, row.offset, xxh3);
  }

  static async create(db: OffsetsDb): Promise<FileDb> {
    return new FileDb(db, await loadXxh3());
  }

  /** Give a newly opened file its row: the one it resumes, or a new one. */
  attach(file: TailFile, rowId?: number): void {
    file.dbId = rowId ?? this.db.newId();
    this.byId.set(file.dbId, file);
    this.save(file, file.commits.committed, true);
  }

  /** `urgent`: the file was opened, rotated or moved to its copy (see OffsetsDb.set). */
  save(file: TailFile, offset: number, urgent = false): void {
    if (file.dbId === null) return;
    const moved = file.currentName !== file.name;
    const row: DbRow = {
      id: file.dbId, name: file.currentName, offset, ino: file.ino, dev: file.dev, birth: file.birth || undefined, created: file.created,
      rotated: file.detachedAt !== null, marker: 0n, markerSize: 0, head: file.head ?? undefined, origin: moved ? file.name : undefined,
    };
    this.db.set(row, urgent);
  }

  /** The file is done with (rotated away and read to its end): its row goes. */
  forget(file: TailFile): void {
    if (file.dbId === null) return;
    this.db.delete(file.dbId);
    this.byId.delete(file.dbId);
  }

  /** Fluent Bit's offset marker, from the bytes of the open file (none once it is closed). */
  private async markerOf(row: DbRow): Promise<Marker> {
    const f = this.byId.get(row.id);
    if (f === undefined || f.closed || f.ino !== row.ino) return NO_MARKER;
    return markerAt(f.handle, row.offset, this.xxh3);
  }
}
