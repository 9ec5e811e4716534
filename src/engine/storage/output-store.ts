import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorLine } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { InstanceMetrics } from '../metrics.js';
import { ChunkFileWriter, readChunkFile, readChunkHeader, type ChunkHeader, type ReadResult } from './chunk-file.js';
import { compareText } from '../../text-order.js';

/** `storage.*` as one output's chunk files need them. */
export interface StoreSettings {
  /** storage.path */
  root: string;
  /** storage.sync full: fsync every write. */
  sync: boolean;
  checksum: boolean;
  /** storage.max_chunks_up: chunks of this output kept in memory at once. */
  maxChunksUp: number;
  /** storage.backlog.mem_limit: bytes of waiting on-disk chunks kept in memory; the rest wait on disk only. */
  waitingBytesUp: number;
  /** storage.delete_irrecoverable_chunks: delete unreadable files instead of quarantining them. */
  deleteIrrecoverable: boolean;
  /** storage.total_limit_size of the output (bytes on disk), if any. */
  totalLimitSize?: number;
  /** storage.keep.rejected: where chunks an output rejected for good are moved (else deleted). */
  rejectedDir?: string;
}

/** A chunk file in the backlog (written by an earlier run). */
export interface BacklogEntry {
  path: string;
  header: ChunkHeader;
  size: number;
}

const SUFFIX = '.chunk';

/**
 * One output's chunk files: `<storage.path>/<output>/<created>-<pid>-<seq>.chunk`. Counts what is on
 * disk, moves unreadable files to `<storage.path>/quarantine/` (or deletes them), and lists what an
 * earlier run left (the backlog) oldest first.
 */
export class OutputStore {
  readonly dir: string;
  private seq = 0;
  bytesOnDisk = 0;
  chunksOnDisk = 0;

  constructor(
    readonly settings: StoreSettings,
    private readonly outputId: string,
    private readonly log: Logger,
    private readonly metrics: InstanceMetrics,
  ) {
    this.dir = join(settings.root, safeName(outputId));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    metrics.gauge('storage_chunks_on_disk', () => this.chunksOnDisk);
    metrics.gauge('storage_bytes_on_disk', () => this.bytesOnDisk);
  }

  /** A new chunk file for `tag` (throws as the file system does: ENOSPC, EACCES…). */
  create(tag: string): ChunkFileWriter {
    const created = Date.now();
    const name = `${created}-${process.pid}-${String(++this.seq).padStart(6, '0')}${SUFFIX}`;
    const w = new ChunkFileWriter(join(this.dir, name), { tag, output: this.outputId, created, checksum: this.settings.checksum }, this.settings.sync);
    this.chunksOnDisk++;
    this.bytesOnDisk += w.size;
    return w;
  }

  /** A small write, to tell whether the folder takes writes again (throws if not). */
  probe(): void {
    const path = join(this.dir, `.probe-${process.pid}`);
    writeFileSync(path, Buffer.alloc(64 * 1024), { mode: 0o600 });
    unlinkSync(path);
  }

  /** Bytes added to a file (after an append). */
  grew(bytes: number): void {
    this.bytesOnDisk += bytes;
  }

  /** A chunk left Wren (delivered, or dropped for a logged reason): its file goes. */
  remove(path: string, size: number): void {
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`cannot delete the delivered chunk file ${path}: ${errorLine(err)}`);
    }
    this.chunksOnDisk--;
    this.bytesOnDisk -= size;
  }

  /** A chunk rejected for good (retries exhausted, or refused): kept in the rejected folder if asked. */
  reject(path: string, size: number): void {
    const dir = this.settings.rejectedDir;
    if (dir === undefined) return this.remove(path, size);
    const dest = join(dir, `${safeName(this.outputId)}-${path.split('/').pop()}`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      renameSync(path, dest);
      this.log.warn({ file: dest }, 'rejected chunk kept (storage.keep.rejected on)');
      this.chunksOnDisk--;
      this.bytesOnDisk -= size;
    } catch (err) {
      this.log.warn(`cannot move the rejected chunk ${path} to ${dir} (${errorLine(err)}): deleted`);
      this.remove(path, size);
    }
  }

  /** What an earlier run left for this output, oldest first. */
  backlog(): BacklogEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith(SUFFIX)).sort(byCreation);
    } catch {
      return [];
    }
    const out: BacklogEntry[] = [];
    for (const n of names) {
      const path = join(this.dir, n);
      const header = readChunkHeader(path);
      const size = sizeOf(path);
      if (header === undefined) {
        this.unreadable(path, 'its header cannot be read');
        continue;
      }
      out.push({ path, header, size });
      this.chunksOnDisk++;
      this.bytesOnDisk += size;
    }
    return out;
  }

  /** Read a chunk file without judging it (nothing is quarantined). */
  peek(path: string): ReadResult {
    try {
      return readChunkFile(path, readFileSync(path));
    } catch (err) {
      return { ok: false, reason: errorLine(err) };
    }
  }

  /** Read a chunk file back; an unreadable one is quarantined (or deleted) and counted. */
  load(path: string, size: number): ReadResult {
    let whole: Buffer;
    try {
      whole = readFileSync(path);
    } catch (err) {
      return { ok: false, reason: `cannot read it: ${errorLine(err)}` };
    }
    const r = readChunkFile(path, whole);
    if (!r.ok) {
      this.chunksOnDisk--;
      this.bytesOnDisk -= size;
      this.unreadable(path, r.reason);
    } else if (r.truncated) {
      this.log.warn({ file: path }, 'chunk file ends in a partial write (a crash while writing it): its complete batches are delivered; the partial one was never reported stored');
    }
    return r;
  }

  private unreadable(path: string, reason: string): void {
    this.metrics.add('storage_chunks_quarantined');
    if (this.settings.deleteIrrecoverable) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
      this.log.error({ file: path }, `chunk file cannot be read back (${reason}): deleted (storage.delete_irrecoverable_chunks on)`);
      return;
    }
    const qdir = join(this.settings.root, 'quarantine');
    const dest = join(qdir, `${safeName(this.outputId)}-${path.split('/').pop()}`);
    try {
      mkdirSync(qdir, { recursive: true, mode: 0o700 });
      renameSync(path, dest);
      this.log.error({ file: path, moved_to: dest }, `chunk file cannot be read back (${reason}): moved to the quarantine folder; the rest of the backlog goes on`);
    } catch (err) {
      this.log.error({ file: path }, `chunk file cannot be read back (${reason}) nor moved to ${qdir} (${errorLine(err)}); it is left where it is`);
    }
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Names are `<created ms>-<pid>-<seq>`: by creation time, then sequence. */
function byCreation(a: string, b: string): number {
  const [ta, , sa] = a.split('-');
  const [tb, , sb] = b.split('-');
  return Number(ta) - Number(tb) || compareText(a, b) || Number(sa) - Number(sb);
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}
