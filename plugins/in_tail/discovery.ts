import type { BigIntStats } from 'node:fs';
import { readlink, stat } from 'node:fs/promises';
import { expandGlob, isExcluded } from './glob.js';

/** A regular file a path pattern names, identified by device+inode of its target. */
export interface Candidate {
  path: string;
  key: string;
  size: number;
  mtimeMs: number;
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
  return { path, key: fileKey(st), size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
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
