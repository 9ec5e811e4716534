import { type FSWatcher, watch } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { CommitQueue } from './commit-queue.js';
import type { Candidate } from './discovery.js';
import type { Head } from './fingerprint.js';

/** A container line being rejoined from its parts (CRI `P` lines, docker lines without `\n`). */
export interface PendingJoin {
  /** Docker: the parts' `log` texts (already decoded JSON strings). CRI: empty. */
  parts: string[];
  /**
   * CRI: the parts' raw log bytes (copies: the read buffer is reused), decoded once when the line
   * is complete, since the runtime cuts at a byte count and may split a UTF-8 character. Docker: empty.
   */
  bytes: Buffer[];
  /** Joined so far: characters (docker) or bytes (CRI). */
  size: number;
  /** File offset of the first part's line: the commit point while the join is open. */
  offset: number;
  /** Event time (epoch ms) of the first part; NaN when it had none. */
  time: number;
  /** CRI: the first part's time text. Docker: undefined (the first part's record keeps it). */
  timeText?: string;
  /** Docker: the first part's record (its other keys are kept). */
  first?: Record<string, unknown>;
  /** When the last part arrived (epoch ms): flushed after `multiline.flush` of silence. */
  lastAt: number;
}

/** A line longer than buffer_max_size being skipped to its end. */
export interface LongLine {
  offset: number;
  kept: number;
  dropped: number;
}

/** One followed file: its open handle, read position and what is held between reads. */
export class TailFile {
  /** Next byte to read. */
  readPos: number;
  /** Offset after the last whole line handled (the carry starts here). */
  consumed: number;
  /** File size at the last check. */
  size: number;
  /** Bytes of an incomplete last line, kept for the next read. */
  carry: Buffer | null = null;
  /** Skipping the rest of an over-long line up to its newline. */
  longLine: LongLine | null = null;
  /** The last bytes before readPos, to notice a truncate that was followed by regrowth. */
  print: Buffer | null = null;
  /** Container lines being rejoined, by stream. */
  joins: Map<string, PendingJoin> | null = null;
  /** Offset of the earliest line of a record the multiline.parser stage still holds; Infinity when none. */
  heldFrom = Infinity;
  /** Not read any more (a line over buffer_max_size with no long-line policy, or a read error). */
  stopped = false;
  /** When the file was rotated away or deleted (epoch ms); null while it is at its path. */
  detachedAt: number | null = null;
  /** Where it lives now (differs from `name` after a rename we followed); saved in the db. */
  currentName: string;
  closed = false;
  /** A file event (or an unfinished read) asks for this file to be read in the next turn. */
  dirty = true;
  /** Closed for good (rotated away, read to its end): its db entry is dropped once its batches are done. */
  forget = false;
  watcher: FSWatcher | null = null;
  /** Fingerprint of the first bytes (see fingerprint.ts); null while the file is empty. */
  head: Head | null = null;
  /** Its row in the db (null without a db). */
  dbId: number | null = null;
  /** When its db row was created (unix seconds). */
  created = Math.floor(Date.now() / 1000);
  readonly commits: CommitQueue;
  /** Throttles long-line logs: time of the last one, and how many were not logged since. */
  lastLongLog = 0;
  unloggedLong = 0;

  constructor(
    /** `<dev>:<inode>` of the file (changes when copytruncate hands its content over to the copy). */
    public key: string,
    public dev: bigint,
    public ino: bigint,
    /** Inode creation time (ns), 0 when unknown. */
    public birth: bigint,
    /** The path it was found at: its tag, `path_key` and rotation checks use it. */
    public name: string,
    readonly tag: string,
    public handle: FileHandle,
    offset: number,
    onCommit: (file: TailFile, offset: number) => void,
  ) {
    this.readPos = offset;
    this.consumed = offset;
    this.size = offset;
    this.currentName = name;
    this.commits = new CommitQueue(offset, (o) => onCommit(this, o));
  }

  /** The offset that is safe to commit now: before any line still held (carry, open joins). */
  safeOffset(): number {
    let safe = this.consumed;
    if (this.joins !== null && this.joins.size > 0) {
      for (const j of this.joins.values()) if (j.offset < safe) safe = j.offset;
    }
    if (this.heldFrom < safe) safe = this.heldFrom;
    return safe;
  }

  /** File events at its path (inotify): `rename` for renames and deletions. Polling covers the file if this fails. */
  watch(onEvent: (rename: boolean) => void): void {
    try {
      const w = watch(this.currentName, { persistent: false }, (event) => onEvent(event === 'rename'));
      w.on('error', () => this.unwatch());
      this.watcher = w;
    } catch {
      // Out of inotify watches or similar: polling (watcher_interval) still covers the file.
    }
  }

  unwatch(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /** copytruncate: the content continues in the copy `c` (open as `handle`), read to its end, then closed. */
  moveTo(handle: FileHandle, c: Candidate): void {
    this.key = c.key;
    this.dev = c.dev;
    this.ino = c.ino;
    this.birth = c.birth;
    this.handle = handle;
    this.currentName = c.path;
    this.size = c.size;
    this.detachedAt = Date.now();
    this.unwatch();
  }

  /** Forget what was held from the old content (after truncation). */
  resetTo(offset: number): void {
    this.readPos = offset;
    this.consumed = offset;
    this.carry = null;
    this.longLine = null;
    this.print = null;
  }
}
