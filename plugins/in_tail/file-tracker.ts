import { open } from 'node:fs/promises';
import type { InputContext } from '../../src/engine/types.js';
import type { TailConfig } from './config.js';
import { findCopy } from './copy-truncate.js';
import { type Candidate, candidate, currentPath, discover, fileKey, identify } from './discovery.js';
import { FileDb } from './file-db.js';
import { HEAD_BYTES, readHead } from './fingerprint.js';
import type { OffsetsDb } from './offsets-db.js';
import { planRestore, type RestorePlan } from './restore.js';
import { expandTag } from './tag.js';
import { TailFile } from './tail-file.js';

/** Why a file is opened: found by the first scan, found later, or the new file after a rotation. */
export type OpenReason = 'start' | 'new' | 'rotated';

/** What the tracker needs from the input. */
export interface TrackerHooks {
  /**
   * Something changed on disk: read soon. `file`: only that file changed (a file event);
   * `rotation`: check rotations too.
   */
  wake(rotation: boolean, file?: TailFile): void;
  /** Emit whatever the file still holds (last partial line, open joins) before it is closed. */
  finish(file: TailFile): void;
}

interface OpenOptions {
  /** Only open the file if it is still this one (`<dev>:<ino>`). */
  expect?: string;
  /** Its db row when it resumes one. */
  rowId?: number;
  created?: number;
  /** Rotated away already: read to its end, then closed. */
  detached?: boolean;
}

/**
 * The set of followed files: discovery (patterns, excludes, ignore_older, db offsets, where to
 * start), rotation (rename+create, deletion: the old file is read to its end for at least
 * `rotate_wait`, then closed; copytruncate: the copy is read to its end, the original from its
 * head) and, through FileDb, their db rows.
 */
export class FileTracker {
  readonly files = new Map<string, TailFile>();
  /** Paths whose file was rotated away before a successor appeared: the successor is read from its head. */
  private readonly vacated = new Set<string>();
  /** Where the db's files were found again (during the first scan only). */
  private plan: RestorePlan | null = null;
  private fdb: FileDb | null = null;
  private db: OffsetsDb | null = null;

  constructor(
    private readonly ctx: InputContext,
    private readonly cfg: TailConfig,
    private readonly excludes: readonly RegExp[],
    private readonly hooks: TrackerHooks,
  ) {}

  /** Find the db's files again (restore.ts), open what the patterns match, then what only the db knows. */
  async start(db: OffsetsDb | null): Promise<void> {
    this.db = db;
    // Recorded only once every file below is open: a crash before then must not claim them seen.
    const looked = this.looking();
    if (db !== null) {
      this.fdb = await FileDb.create(db);
      this.plan = await planRestore(db.rows(), {
        compareName: this.cfg.dbCompareName, xxh3: this.fdb.xxh3, log: this.ctx.log, savedAt: db.savedAt, excludes: this.excludes,
      });
      for (const r of this.plan.dropped) db.delete(r.id);
    }
    await this.scan('start');
    for (const r of this.plan?.resume.values() ?? []) {
      if (this.files.has(r.key)) continue;
      // Renamed to a name no pattern matches: its tag stays that of the path it was found at.
      const c = await identify(r.path);
      const f = c === null ? null : await this.open(c, r.row.origin ?? r.row.name, () => r.row.offset,
        { expect: r.key, rowId: r.row.id, created: r.row.created, detached: true });
      if (f === null) db?.delete(r.row.id);
    }
    // The same file truncated and rewritten while Wren was down, then renamed: its new content, read from its head, then let go.
    const fromHead = [...(this.plan?.fromHead ?? [])].filter(([, h]) => h.letGo);
    for (const [key, h] of [...fromHead, ...(this.plan?.unseen ?? [])]) {
      if (this.files.has(key)) continue;
      const c = await identify(h.path);
      if (c !== null) await this.open(c, h.row.origin ?? h.row.name, () => 0, { expect: key, detached: true });
    }
    this.plan = null;
    looked();
  }

  /** Expand the patterns and open files not followed yet. */
  async scan(reason: 'start' | 'new'): Promise<void> {
    const now = Date.now();
    const looked = reason === 'new' ? this.looking() : () => undefined;
    for (const c of await discover(this.cfg.paths, this.excludes)) {
      const known = this.files.get(c.key);
      if (known !== undefined) {
        if (known.detachedAt !== null && !known.closed) {
          // A rotated file that a pattern still matches under its new name stays followed.
          known.detachedAt = null;
          known.currentName = c.path;
        }
        continue;
      }
      const restored = this.plan?.resume.get(c.key);
      if (restored === undefined && this.cfg.ignoreOlderMs > 0 && now - c.mtimeMs > this.cfg.ignoreOlderMs) continue;
      const successor = this.vacated.delete(c.path);
      await this.open(c, c.path, (opened) => this.startOffset(opened, successor ? 'rotated' : reason),
        restored === undefined ? {} : { rowId: restored.row.id, created: restored.row.created });
    }
    // Successors of vacated paths have been found by now; later ones are simply new files.
    this.vacated.clear();
    looked();
  }

  /** Call at the start of a look at the files; the returned function records it once the look is done. */
  private looking(): () => void {
    const t = Date.now();
    return () => {
      if (this.db !== null && t > (this.db.seenAt ?? 0)) this.db.seenAt = t;
    };
  }

  private startOffset(c: Candidate, reason: OpenReason): number {
    const plan = this.plan;
    const restored = plan?.resume.get(c.key);
    if (restored !== undefined) return restored.row.offset;
    if (reason === 'rotated') return 0;
    if (plan != null && (plan.fromHead.has(c.key) || plan.unseen.has(c.key) || plan.successors.has(c.path))) return 0;
    // Created while Wren was not looking (down, or before it noticed): all of it is new.
    if (plan?.savedAt !== undefined && c.birth > plan.savedAt) return 0;
    const head = reason === 'start' ? this.cfg.readFromHead : this.cfg.readNewFromHead;
    return head ? 0 : c.size;
  }

  /** Open a file found at `c.path`; `offsetOf` says where to start in what was actually opened. */
  private async open(c: Candidate, name: string, offsetOf: (opened: Candidate) => number, o: OpenOptions = {}): Promise<TailFile | null> {
    let handle;
    try {
      handle = await open(c.path, 'r');
    } catch (err) {
      this.ctx.log.warn({ file: c.path, err: (err as Error).message }, 'tail: cannot open file');
      return null;
    }
    // The path may have been replaced between stat and open: the open file is what counts.
    const st = await handle.stat({ bigint: true });
    const key = fileKey(st);
    if (this.files.has(key) || !st.isFile() || (o.expect !== undefined && key !== o.expect)) {
      await handle.close();
      return null;
    }
    const opened = candidate(c.path, st);
    const offset = offsetOf(opened);
    const file = new TailFile(key, st.dev, st.ino, st.birthtimeNs, name, expandTag(this.ctx.tag, name), handle, offset, (f, at) => this.committed(f, at));
    file.currentName = c.path;
    if (o.detached) file.detachedAt = Date.now();
    if (o.created !== undefined) file.created = o.created;
    this.files.set(key, file);
    file.head = await readHead(handle, opened.size);
    this.fdb?.attach(file, o.rowId);
    if (this.cfg.fsEvents && !o.detached) file.watch((rename) => this.hooks.wake(rename, file));
    this.ctx.metrics.add('files_opened');
    this.ctx.log.debug({ file: c.path, key, offset }, 'tail: following file');
    return file;
  }

  /** Notice files renamed away, replaced (rotation) or deleted, and open their successors. */
  async checkRotations(): Promise<void> {
    const looked = this.looking();
    for (const path of [...this.vacated]) {
      const c = await identify(path);
      if (c === null) continue;
      this.vacated.delete(path);
      if (!this.files.has(c.key)) await this.open(c, path, (opened) => this.startOffset(opened, 'rotated'));
    }
    for (const file of [...this.files.values()]) {
      if (file.detachedAt !== null || file.closed) continue;
      const path = file.currentName;
      const now = await identify(path);
      if (now !== null && now.key === file.key) continue;
      file.detachedAt = Date.now();
      const moved = await currentPath(file.handle.fd);
      if (moved !== null) file.currentName = moved;
      this.ctx.metrics.add('files_rotated');
      this.ctx.log.info({ file: file.name, now: moved ?? '(deleted)' }, 'tail: file rotated; reading it to its end');
      this.fdb?.save(file, file.commits.committed, true);
      await this.openSuccessor(path, now);
    }
    looked();
  }

  /** The file that took the place of a rotated one (read from its head), or wait for it to appear. */
  private async openSuccessor(path: string, now: Candidate | null): Promise<void> {
    if (this.isExcluded(path)) return;
    if (now === null) this.vacated.add(path);
    else if (!this.files.has(now.key)) {
      const f = await this.open(now, path, (opened) => this.startOffset(opened, 'rotated'));
      if (f !== null) this.hooks.wake(false, f);
    }
  }

  /**
   * `file` was found truncated. If a copy of its content sits beside it (copytruncate), the file
   * continues in the copy (same read position, joins and commits; its db row now names the copy)
   * and the original, new content, is followed from its head. Returns false for a plain truncation.
   */
  async followCopy(file: TailFile): Promise<boolean> {
    if (file.detachedAt !== null) return false;
    const copy = await findCopy(file);
    if (copy === null) return false;
    const original = file.currentName;
    const old = file.handle;
    this.files.delete(file.key);
    file.moveTo(copy.handle, copy.cand);
    this.files.set(file.key, file);
    this.fdb?.save(file, file.commits.committed, true);
    await old.close().catch(() => undefined);
    this.ctx.metrics.add('files_rotated');
    this.ctx.log.info({ file: file.name, copy: copy.cand.path, offset: file.readPos },
      'tail: file copied and truncated (copytruncate); reading the copy to its end and the original from its head');
    await this.openSuccessor(original, await identify(original));
    return true;
  }

  private isExcluded(path: string): boolean {
    return this.excludes.some((re) => re.test(path));
  }

  /** Close rotated or deleted files that are read to their end and past rotate_wait. */
  async closeDetached(): Promise<void> {
    const now = Date.now();
    for (const file of [...this.files.values()]) {
      if (file.detachedAt === null || file.closed || now - file.detachedAt < this.cfg.rotateWaitMs) continue;
      if (!file.stopped) {
        const size = (await file.handle.stat()).size;
        if (size > file.readPos) {
          this.hooks.wake(false, file);
          continue;
        }
        this.hooks.finish(file);
      }
      await this.close(file, true);
    }
  }

  /** Re-take a small file's head fingerprint as it grows (see fingerprint.ts). */
  async refreshHead(file: TailFile): Promise<void> {
    const h = file.head;
    if (file.closed || file.size <= (h?.len ?? 0) || (h !== null && h.len >= HEAD_BYTES)) return;
    file.head = await readHead(file.handle, file.size);
    this.fdb?.save(file, file.commits.committed);
  }

  /** Close a file; with `forget` (it was rotated away and read to its end), its db entry goes too. */
  async close(file: TailFile, forget: boolean): Promise<void> {
    if (file.closed) return;
    file.closed = true;
    file.forget = forget;
    file.unwatch();
    this.files.delete(file.key);
    await file.handle.close().catch(() => undefined);
    this.ctx.metrics.add('files_closed');
    if (forget && file.commits.inFlight === 0) this.fdb?.forget(file);
    this.ctx.log.debug({ file: file.name }, 'tail: file closed');
  }

  private committed(file: TailFile, offset: number): void {
    if (file.forget && file.commits.inFlight === 0) this.fdb?.forget(file);
    else this.fdb?.save(file, offset);
  }
}
