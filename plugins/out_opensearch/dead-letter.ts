import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorLine } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { isoTime } from '../../src/codec/iso-time.js';
import { toJson } from '../../src/codec/raw-number.js';
import { redact } from '../../src/redact.js';

/** A document OpenSearch refused for good (or that could not be sent at all). */
export interface DeadLetter {
  /** The document as sent (JSON bytes), when it was encoded. */
  document?: Buffer;
  /** The record, when it could not be encoded. */
  record?: Record<string, unknown>;
  index: string;
  /** The item's HTTP status; 0 when it was never sent. */
  status: number;
  reason: string;
  tag: string;
  /** The record's time, epoch ms. */
  time: number;
}

function recordJson(r: Record<string, unknown> | undefined): string {
  try {
    return toJson(r ?? null);
  } catch {
    return JSON.stringify(String(r));
  }
}

function isoTimeOrEmpty(ms: number): string {
  return Number.isNaN(new Date(ms).getTime()) ? '' : isoTime(ms);
}

/** One NDJSON line per refused document: its time, tag, index, status, reason, and the document. */
export function deadLetterLine(e: DeadLetter, failedAt: number): string {
  const doc = e.document !== undefined ? e.document.toString('utf8') : recordJson(e.record);
  return `{"time":${JSON.stringify(isoTimeOrEmpty(e.time))},"tag":${JSON.stringify(e.tag)},"index":${JSON.stringify(e.index)},` +
    `"status":${e.status},"reason":${JSON.stringify(redact(e.reason))},"failed_at":${JSON.stringify(isoTimeOrEmpty(failedAt))},"document":${doc}}\n`;
}

/**
 * Appends dead letters to an NDJSON file. Writes are queued so that concurrent flushes never
 * interleave their lines; a failed write is logged (the documents stay counted as dropped).
 */
export class DeadLetterFile {
  private queue: Promise<void> = Promise.resolve();
  private dirReady = false;

  constructor(readonly path: string, private readonly log: Logger, private readonly mode = 0o600) {}

  write(entries: readonly DeadLetter[], now = Date.now()): Promise<void> {
    if (entries.length === 0) return this.queue;
    let text = '';
    for (const e of entries) text += deadLetterLine(e, now);
    this.queue = this.queue.then(() => this.append(text, entries.length));
    return this.queue;
  }

  private async append(text: string, n: number): Promise<void> {
    try {
      if (!this.dirReady) {
        await mkdir(dirname(this.path), { recursive: true });
        this.dirReady = true;
      }
      await appendFile(this.path, text, { mode: this.mode });
    } catch (err) {
      this.log.error(`cannot write ${n} refused document(s) to dead_letter_path ${this.path}: ${errorLine(err)}`);
    }
  }
}
