import { type FileHandle, open } from 'node:fs/promises';
import { type Candidate, candidate, foldersOf, listFolder } from './discovery.js';
import { headMatches } from './fingerprint.js';
import type { TailFile } from './tail-file.js';

/**
 * copytruncate (logrotate's option, and what many apps do to their own logs): the file is copied
 * to a new name, then truncated in place. The copy holds the content Wren was reading, including
 * lines it had not read yet; the original, under the same inode, holds new content.
 *
 * When a followed file is found truncated, this looks beside it for a file that starts with the
 * same head, is at least as long as what was read, and has the same bytes just before the read
 * position: that copy is where the unread rest of the content is. Returns it open, or null (a
 * plain truncation: nothing to continue).
 */
export interface FoundCopy {
  handle: FileHandle;
  cand: Candidate;
}

export async function findCopy(file: TailFile): Promise<FoundCopy | null> {
  const head = file.head;
  if (head === null || file.readPos === 0) return null;
  for (const dir of await foldersOf(file.currentName)) {
    for (const c of await listFolder(dir)) {
      if (c.key === file.key || c.size < file.readPos || c.size < head.len) continue;
      const found = await check(c.path, file);
      if (found !== null) return found;
    }
  }
  return null;
}

async function check(path: string, file: TailFile): Promise<FoundCopy | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const st = await fh.stat({ bigint: true });
    const cand = candidate(path, st);
    if (st.isFile() && cand.key !== file.key && cand.size >= file.readPos && (await headMatches(fh, cand.size, file.head!)) && (await sameTail(fh, file))) {
      return { handle: fh, cand };
    }
  } catch {
    // unreadable: not the copy
  }
  await fh.close().catch(() => undefined);
  return null;
}

/** The bytes before the read position are those read from the original. */
async function sameTail(fh: FileHandle, file: TailFile): Promise<boolean> {
  const print = file.print;
  if (print === null || print.length === 0) return true;
  const buf = Buffer.allocUnsafe(print.length);
  const { bytesRead } = await fh.read(buf, 0, print.length, file.readPos - print.length);
  return bytesRead === print.length && buf.equals(print);
}
