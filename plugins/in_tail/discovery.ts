import type { BigIntStats } from 'node:fs';
import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expandGlob, isExcluded } from './glob.js';

/** A regular file a path pattern names, identified by device+inode of its target. */
export interface Candidate {
  path: string;
  key: string;
  dev: bigint;
  ino: bigint;
  /** Creation time (ns; 0 where the filesystem does not keep it): a reused inode has a new one. */
  birth: bigint;
  size: number;
  mtimeMs: number;
}

/** The candidate a stat result describes. */
export function candidate(path: string, st: BigIntStats): Candidate {
  return { path, key: fileKey(st), dev: st.dev, ino: st.ino, birth: st.birthtimeNs, size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
}

/** `<dev>:<inode>`, exact (bigint) so 64-bit inode numbers do not collide. */
export function fileKey(st: BigIntStats): string {
  return `${st.dev}:${st.ino}`;
}

/** Stat a path, following symlinks; null when it is missing or not a regular file. */
export async function identify(path: string): Promise<Candidate | null> {
  let st: BigIntStats;
  try {
    st = await stat(path, { bigint: true });
  } catch {
    return null;
  }
  if (!st.isFile()) return null;
  return candidate(path, st);
}

/** Regular files in a folder (symlinks followed), for finding a file again after a rename. */
export async function listFolder(dir: string): Promise<Candidate[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: Candidate[] = [];
  for (const n of names) {
    const c = await identify(join(dir, n));
    if (c !== null) out.push(c);
  }
  return out;
}

/** The folders a file at `path` may have been renamed within: its own and, for a symlink, its target's. */
export async function foldersOf(path: string): Promise<string[]> {
  const dirs = [dirname(path)];
  const real = await realpath(path).catch(() => null);
  if (real !== null && !dirs.includes(dirname(real))) dirs.push(dirname(real));
  return dirs;
}

/** Expand every pattern, drop excluded paths, keep regular files once each (first path wins). */
export async function discover(patterns: readonly string[], excludes: readonly RegExp[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    for (const path of await expandGlob(pattern)) {
      if (isExcluded(path, excludes)) continue;
      const c = await identify(path);
      if (c === null || seen.has(c.key)) continue;
      seen.add(c.key);
      out.push(c);
    }
  }
  return out;
}

/** Where an open file lives now (Linux /proc), e.g. after a rename; null when deleted or unknown. */
export async function currentPath(fd: number): Promise<string | null> {
  try {
    const p = await readlink(`/proc/self/fd/${fd}`);
    return p.endsWith(' (deleted)') ? null : p;
  } catch {
    return null;
  }
}
