import { watch } from 'node:fs';
import { open } from 'node:fs/promises';
import type { InputContext } from '../../src/engine/types.js';
import type { TailConfig } from './config.js';
import { type Candidate, currentPath, discover, fileKey, identify } from './discovery.js';
import type { OffsetsDb } from './offsets-db.js';
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

/**
 * The set of followed files: discovery (patterns, excludes, ignore_older, db offsets, where to
 * start), rotation (rename+create, deletion: the old file is read to its end for at least
 * `rotate_wait`, then closed) and the db entries that go with them.
 */
export class FileTracker {
  readonly files = new Map<string, TailFile>();
  /** Paths whose file was rotated away before a successor appeared: the successor is read from its head. */
  private readonly vacated = new Set<string>();

  constructor(
    private readonly ctx: InputContext,
    private readonly cfg: TailConfig,
    private readonly excludes: readonly RegExp[],
    private readonly db: OffsetsDb | null,
    private readonly hooks: TrackerHooks,
  ) {}

  /** Resume files the db says were rotated while still being read (they may match no pattern now). */
  async resumeRotated(): Promise<void> {
    if (this.db === null) return;
    for (const e of this.db.all()) {
      if (!e.rotated) continue;
      const c = await identify(e.name);
      if (c === null || c.key !== e.key || e.offset > c.size) {
        this.db.delete(e.key);
        continue;
      }
      const f = await this.open(c, e.origin ?? e.name, (now) => (now.key === e.key ? e.offset : 0));
      if (f !== null) {
        f.currentName = e.name;
        f.detachedAt = Date.now();
      }
    }
  }

  /** Expand the patterns and open files not followed yet. */
  async scan(reason: 'start' | 'new'): Promise<void> {
    const now = Date.now();
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
      if (this.cfg.ignoreOlderMs > 0 && now - c.mtimeMs > this.cfg.ignoreOlderMs) continue;
      const successor = this.vacated.delete(c.path);
      await this.open(c, c.path, (now) => this.startOffset(now, successor ? 'rotated' : reason));
    }
    if (reason === 'start') await this.pruneDb();
    // Successors of vacated paths have been found by now; later ones are simply new files.
    this.vacated.clear();
  }

  private startOffset(c: Candidate, reason: OpenReason): number {
    const saved = this.db?.find(c.key, this.cfg.dbCompareName ? c.path : undefined);
    if (saved !== undefined) return saved.offset <= c.size ? saved.offset : 0; // shrank while we were away
    if (reason === 'rotated') return 0;
    const head = reason === 'start' ? this.cfg.readFromHead : this.cfg.readNewFromHead;
    return head ? 0 : c.size;
  }

  /** Open a file found at `c.path`; `offsetOf` says where to start in what was actually opened. */
  private async open(c: Candidate, name: string, offsetOf: (opened: Candidate) => number): Promise<TailFile | null> {
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
    if (this.files.has(key) || !st.isFile()) {
      await handle.close();
      return null;
    }
    const offset = offsetOf({ path: c.path, key, size: Number(st.size), mtimeMs: Number(st.mtimeMs) });
    const file = new TailFile(key, name, expandTag(this.ctx.tag, name), handle, offset, (f, o) => this.committed(f, o));
    this.files.set(key, file);
    this.saveEntry(file, offset);
    if (this.cfg.fsEvents) this.watch(file);
    this.ctx.metrics.add('files_opened');
    this.ctx.log.debug({ file: c.path, key, offset }, 'tail: following file');
    return file;
  }

  private watch(file: TailFile): void {
    try {
      const w = watch(file.currentName, { persistent: false }, (event) => this.hooks.wake(event === 'rename', file));
      w.on('error', () => {
        w.close();
        file.watcher = null;
      });
      file.watcher = w;
    } catch {
      // Out of inotify watches or similar: polling (watcher_interval) still covers the file.
    }
  }

  /** Notice files renamed away, replaced (rotation) or deleted, and open their successors. */
  async checkRotations(): Promise<void> {
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
      this.saveEntry(file, file.commits.committed);
      if (this.isExcluded(path)) continue;
      if (now === null) this.vacated.add(path);
      else if (!this.files.has(now.key)) await this.open(now, path, (opened) => this.startOffset(opened, 'rotated'));
    }
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

  /** Close a file; with `forget` (it was rotated away and read to its end), its db entry goes too. */
  async close(file: TailFile, forget: boolean): Promise<void> {
    if (file.closed) return;
    file.closed = true;
    file.forget = forget;
    file.watcher?.close();
    file.watcher = null;
    this.files.delete(file.key);
    await file.handle.close().catch(() => undefined);
    this.ctx.metrics.add('files_closed');
    if (forget && file.commits.inFlight === 0) this.db?.delete(file.key);
    this.ctx.log.debug({ file: file.name }, 'tail: file closed');
  }

  private committed(file: TailFile, offset: number): void {
    if (this.db === null) return;
    if (file.forget && file.commits.inFlight === 0) this.db.delete(file.key);
    else this.saveEntry(file, offset);
  }

  private saveEntry(file: TailFile, offset: number): void {
    if (this.db === null) return;
    const rotated = file.detachedAt !== null;
    this.db.set({ key: file.key, name: file.currentName, offset, rotated, origin: rotated ? file.name : undefined });
  }

  /** Drop db entries of files that are gone (or whose inode now belongs to another name). */
  private async pruneDb(): Promise<void> {
    if (this.db === null) return;
    for (const e of this.db.all()) {
      if (this.files.has(e.key)) continue;
      const c = await identify(e.name);
      if (c === null || c.key !== e.key) this.db.delete(e.key);
    }
  }
}
