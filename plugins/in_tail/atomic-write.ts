import { closeSync, constants, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { nodeCrypto } from '../../src/lazy-require.js';

/**
 * Replace a file with new bytes so that a crash (kill -9, power loss with `sync`) at any moment
 * leaves either the old or the new content, never a torn file:
 *
 * 1. a temp file beside the target, under a fresh random name, created with O_CREAT|O_EXCL
 *    (`wx`): if anything exists at that name, a planted symlink included, the open fails instead
 *    of following it, so the write can never be redirected to another file;
 * 2. the bytes written and, unless `sync` is `off`, fsynced;
 * 3. rename(2) over the target (atomic; a symlink at the target is replaced, not followed);
 * 4. for `full`/`extra`, the folder fsynced so the rename itself survives a power loss.
 *
 * On failure the temp file is removed and the error thrown; the target is untouched.
 */
export type SyncMode = 'off' | 'normal' | 'full' | 'extra';

const TMP_MARK = '.wren-tmp-';

function tempName(target: string): string {
  return join(dirname(target), `${basename(target)}${TMP_MARK}${process.pid}-${nodeCrypto().randomBytes(6).toString('hex')}`);
}

const EXCL = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;

export async function writeAtomic(target: string, data: Uint8Array, sync: SyncMode): Promise<void> {
  const tmp = tempName(target);
  let created = false;
  try {
    const fh = await open(tmp, EXCL, 0o600);
    created = true;
    try {
      await fh.writeFile(data);
      if (sync !== 'off') await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    created = false;
    if (sync === 'full' || sync === 'extra') {
      const dir = await open(dirname(target), 'r');
      try { await dir.sync(); } finally { await dir.close(); }
    }
  } catch (err) {
    if (created) await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** The same, synchronously (for commits that arrive while the process is shutting down). */
export function writeAtomicSync(target: string, data: Uint8Array, sync: SyncMode): void {
  const tmp = tempName(target);
  let created = false;
  try {
    const fd = openSync(tmp, EXCL, 0o600);
    created = true;
    try {
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done);
      if (sync !== 'off') fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
    created = false;
    if (sync === 'full' || sync === 'extra') {
      const d = openSync(dirname(target), 'r');
      try { fsyncSync(d); } finally { closeSync(d); }
    }
  } catch (err) {
    if (created) rmSync(tmp, { force: true });
    throw err;
  }
}

/** Remove temp files a crashed writer of `target` left behind (unlink never follows a symlink). */
export function removeStaleTemps(target: string): void {
  const prefix = `${basename(target)}${TMP_MARK}`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix)) rmSync(join(dirname(target), n), { force: true });
}
