import { open, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Logger } from '../../src/log.js';
import type { DbRow } from './db-sqlite.js';
import { type Candidate, fileKey, foldersOf, identify, listFolder } from './discovery.js';
import { headMatches, markerMatches, type Xxh3 } from './fingerprint.js';
import { isExcluded } from './glob.js';

/**
 * At start, every db row's file is looked for again before anything is read, because what was at
 * a path when Wren stopped may have moved while it was down:
 *
 * 1. by inode: at the saved name, else in its folder (and its symlink target's folder): a rename
 *    (`app.log` → `app.log.1`, kubelet's `0.log` → `0.log.<timestamp>`) keeps the inode;
 * 2. by content: a file in those folders whose head matches the saved fingerprint (copytruncate
 *    made a copy under a new inode).
 *
 * A file is taken only when its content is still what the row describes: at least `offset` bytes,
 * the saved head (Wren's fingerprint) and the bytes before the offset (Fluent Bit's marker), where
 * the row has them. An inode whose content no longer matches (truncated and rewritten, or reused
 * for a new file) is new content: read from its head. A path whose former file moved away now
 * holds a successor: read from its head too, whatever read_from_head says.
 *
 * 3. Files Wren never saw: a rotated name of a row's file (`app.log.3`, `0.log.<timestamp>`) in its
 *    folder, created after Wren last wrote the db. Two rotations while Wren was not looking (a copy
 *    made before it noticed the last one, then another while it was down) leave a whole generation
 *    under such a name; it is read from its head, then let go. Compressed names are left alone.
 */
export interface Restored {
  row: DbRow;
  /** Where the file was found. */
  path: string;
  key: string;
}

export interface RestorePlan {
  /** Files to resume from their row's offset, by `<dev>:<ino>`. */
  resume: Map<string, Restored>;
  /**
   * Files (by key) whose inode matched a row but whose content is new: read from the head. With
   * `letGo`, the same file (same creation time) truncated and rewritten, then maybe renamed: read
   * even where no pattern matches it, then let go, like a rotated file.
   */
  fromHead: Map<string, { path: string; row: DbRow; letGo: boolean }>;
  /** Paths whose file moved away or was replaced while Wren was down. */
  successors: Set<string>;
  /** Rows whose file was not found: their entries are removed. */
  dropped: DbRow[];
  /** Rotated files created after the db was last written (never seen): read from the head, then let go. */
  unseen: Map<string, { path: string; row: DbRow }>;
  /** What Wren had seen up to (epoch ns): a file created later is new to it, read from its head. */
  savedAt?: bigint;
}

export interface RestoreOptions {
  /** db.compare_filename: only the same inode under the same name resumes. */
  compareName: boolean;
  xxh3: Xxh3;
  log: Logger;
  /** When Wren last wrote the db (epoch ns); undefined: a db it did not write, no sweep for unseen files. */
  savedAt?: bigint;
  excludes: readonly RegExp[];
}

const COMPRESSED = /\.(gz|bz2|xz|zst|zip|lz4|tgz|tar)$/i;

export async function planRestore(rows: readonly DbRow[], opts: RestoreOptions): Promise<RestorePlan> {
  const plan: RestorePlan = { resume: new Map(), fromHead: new Map(), successors: new Set(), dropped: [], unseen: new Map(), savedAt: opts.savedAt };
  const folders = new Map<string, Promise<Candidate[]>>();
  const list = (dir: string) => {
    let l = folders.get(dir);
    if (l === undefined) folders.set(dir, (l = listFolder(dir)));
    return l;
  };
  // Newest rows first: they describe the latest state of a path.
  for (const row of [...rows].sort((a, b) => b.id - a.id)) {
    // Whatever is now at the path a rotated file was found at came after it.
    if (row.rotated && row.origin !== undefined) plan.successors.add(row.origin);
    const found = await locate(row, opts, plan, list);
    if (found === null) {
      plan.dropped.push(row);
      if (!row.rotated) plan.successors.add(row.name);
      continue;
    }
    plan.resume.set(found.key, { row, path: found.path, key: found.key });
    plan.fromHead.delete(found.key);
    if (found.path !== row.name && !row.rotated) plan.successors.add(row.name);
    if (found.path !== row.name) {
      opts.log.info({ file: found.path, was: row.name, offset: row.offset }, 'tail: found a followed file under a new name (rotated while Wren was down); reading it to its end');
    }
  }
  if (opts.savedAt !== undefined && !opts.compareName) await findUnseen(rows, opts.savedAt, opts, plan, list);
  opts.log.debug({
    rows: rows.map((r) => ({ id: r.id, name: r.name, ino: String(r.ino), offset: r.offset, head: r.head?.len ?? null, rotated: r.rotated })),
    saved_at_ms: opts.savedAt === undefined ? null : Number(opts.savedAt / 1_000_000n),
    resume: [...plan.resume.values()].map((r) => `${r.path}@${r.row.offset}`),
    from_head: [...plan.fromHead.values()].map((h) => h.path), unseen: [...plan.unseen.values()].map((u) => u.path),
  }, 'tail: db rows found again');
  return plan;
}

async function findUnseen(rows: readonly DbRow[], savedAt: bigint, opts: RestoreOptions, plan: RestorePlan,
  list: (dir: string) => Promise<Candidate[]>): Promise<void> {
  for (const row of rows) {
    // The names its content went by: where it is, where it was found (a rotated row), their symlink targets.
    const bases: string[] = [];
    for (const p of row.origin === undefined ? [row.name] : [row.name, row.origin]) {
      const real = await realpath(p).catch(() => null);
      for (const b of real === null ? [basename(p)] : [basename(p), basename(real)]) if (!bases.includes(b)) bases.push(b);
    }
    for (const dir of await foldersOf(row.name)) {
      for (const c of await list(dir)) {
        if (c.birth === 0n || c.birth <= savedAt || plan.resume.has(c.key) || plan.fromHead.has(c.key) || plan.unseen.has(c.key)) continue;
        const b = basename(c.path);
        if (!bases.some((x) => b !== x && b.startsWith(x)) || COMPRESSED.test(b) || isExcluded(c.path, opts.excludes)) continue;
        plan.unseen.set(c.key, { path: c.path, row });
        opts.log.info({ file: c.path, of: row.name }, 'tail: a rotated file created while Wren was not looking; reading it from its head');
      }
    }
  }
}

async function locate(row: DbRow, opts: RestoreOptions, plan: RestorePlan, list: (dir: string) => Promise<Candidate[]>): Promise<Candidate | null> {
  // A reused inode (another creation time) is another file altogether.
  const same = (c: Candidate) => c.ino === row.ino && (row.dev === undefined || c.dev === row.dev) && !plan.resume.has(c.key)
    && (row.birth === undefined || c.birth === 0n || c.birth === row.birth);
  const atName = await identify(row.name);
  const byInode: Candidate[] = [];
  if (atName !== null && same(atName)) byInode.push(atName);
  const dirs = await foldersOf(row.name);
  if (byInode.length === 0 && !opts.compareName) {
    for (const d of dirs) for (const c of await list(d)) if (same(c) && !byInode.some((b) => b.key === c.key)) byInode.push(c);
  }
  for (const c of byInode) {
    if (await holds(c, row, opts.xxh3)) return c;
    plan.fromHead.set(c.key, { path: c.path, row, letGo: row.birth !== undefined && c.birth === row.birth });
    opts.log.info({ file: c.path, offset: row.offset }, 'tail: a followed file now holds other content (truncated and rewritten, or a reused inode); reading it from its head');
  }
  if (row.head === undefined || opts.compareName) return null;
  for (const d of dirs) {
    for (const c of await list(d)) {
      if (plan.resume.has(c.key) || byInode.some((b) => b.key === c.key) || c.size < row.offset || c.size < row.head.len) continue;
      if (await holds(c, row, opts.xxh3)) return c;
    }
  }
  return null;
}

/** Whether the file at `c` still holds the content `row` describes, up to its offset. */
async function holds(c: Candidate, row: DbRow, xxh3: Xxh3): Promise<boolean> {
  let fh;
  try {
    fh = await open(c.path, 'r');
  } catch {
    return false;
  }
  try {
    const st = await fh.stat({ bigint: true });
    if (fileKey(st) !== c.key) return false;
    const size = Number(st.size);
    if (row.offset > size) return false;
    if (row.head !== undefined && !(await headMatches(fh, size, row.head))) return false;
    return await markerMatches(fh, row.offset, { value: row.marker, size: row.markerSize }, xxh3);
  } finally {
    await fh.close();
  }
}
