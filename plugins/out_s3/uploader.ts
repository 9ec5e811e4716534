import { retryDelayMs } from '../../src/engine/backoff.js';
import { errorLine } from '../../src/errors.js';
import type { PluginMetrics } from '../../src/engine/types.js';
import type { Logger } from '../../src/log.js';
import { gzip } from '../../src/sink/gzip.js';
import type { ObjectHeaders, S3Client, S3Verdict } from './client.js';
import type { S3Config } from './config.js';
import type { Staging, StagedObject } from './staging.js';
import { readPiece } from './store-files.js';

/**
 * Moves staged objects to S3, one request at a time, oldest object first:
 * - an object sent with PutObject goes once it is closed (full, timed out, or shutting down);
 * - a multipart object gets CreateMultipartUpload before its first part, each sealed piece is
 *   uploaded as its part (the ETag recorded on disk), and CompleteMultipartUpload once it is
 *   closed and every part is in. A closed object with one piece and no upload yet is sent with
 *   PutObject instead (one request, not three).
 * A failed step is tried again after a backoff (full jitter); with preserve_data_ordering the
 * later objects of its tag wait for it. S3 losing the upload (NoSuchUpload) or refusing the parts
 * at completion starts the upload again from the pieces on disk (the old one is aborted). After
 * `retry_limit` failed attempts an object is given up: its multipart upload is aborted and its
 * records are dropped (counted, logged).
 */
export class Uploader {
  /** Steps that succeeded (a measure of progress). */
  steps = 0;
  private running = false;
  private again = false;
  private timer?: NodeJS.Timeout;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly cfg: S3Config,
    private readonly staging: Staging,
    private readonly client: S3Client,
    private readonly log: Logger,
    private readonly metrics: PluginMetrics,
  ) {}

  private get headers(): ObjectHeaders {
    return { contentType: this.cfg.contentType, contentEncoding: this.cfg.gzip ? 'gzip' : undefined, storageClass: this.cfg.storageClass, cannedAcl: this.cfg.cannedAcl };
  }

  /** Start (or continue) uploading. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.notifyIdle();
      }
    });
  }

  /** Nothing left to do right now (objects still open or backing off do not count). */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private notifyIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * The next object with work to do now, honouring the per-tag order; else when the earliest
   * backoff among the objects that could go ends (Infinity: none is waiting).
   */
  private next(now: number): { o?: StagedObject; wake: number } {
    const blocked = new Set<string>();
    let wake = Infinity;
    for (const o of this.staging.objects) {
      if (blocked.has(o.state.tag)) continue;
      const work = this.hasWork(o);
      if (work && o.notBefore <= now) return { o, wake };
      if (work) wake = Math.min(wake, o.notBefore);
      if (this.cfg.ordered && (work || o.closing)) blocked.add(o.state.tag);
    }
    return { wake };
  }

  private hasWork(o: StagedObject): boolean {
    if (o.state.put) return o.closing && o.pieces.length > 0;
    if (o.closing && o.open === undefined && o.pieces.length > 0) return true;
    return o.pieces.some((p) => p.sealed && o.etag(p.n) === undefined);
  }

  private async loop(): Promise<void> {
    for (;;) {
      const { o, wake } = this.next(Date.now());
      if (!o) return this.schedule(wake);
      let ok: boolean;
      try {
        ok = await this.step(o);
      } catch (err) {
        // a staged file could not be read, or the state not saved: log, back off, try again
        ok = this.failed(o, { kind: 'retry', reason: `staging: ${errorLine(err)}` });
      }
      if (!ok) {
        o.failures++;
        if (o.failures > this.cfg.retryLimit) await this.giveUp(o);
        else o.notBefore = Date.now() + retryDelayMs(o.failures, 1000, 60_000, o.retryAfterMs);
      } else {
        this.steps++;
        o.failures = 0;
        o.notBefore = 0;
      }
    }
  }

  /**
   * Wake up when the earliest backoff ends: also when it ended since the loop last looked (a
   * short jittered wait on a busy machine), or the object would wait for the next flush.
   */
  private schedule(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (at === Infinity) return;
    this.timer = setTimeout(() => this.kick(), Math.max(10, at - Date.now()));
    this.timer.unref();
  }

  /** One request's worth of work on an object; false when it failed (logged). */
  private async step(o: StagedObject): Promise<boolean> {
    if (o.state.put || (o.closing && o.open === undefined && o.pieces.length === 1 && o.state.uploadId === undefined)) return this.put(o);
    const s = o.state;
    if (s.uploadId === undefined) {
      const v = await this.client.createMultipartUpload(s.key, this.headers);
      if (v.kind !== 'ok' || !v.uploadId) return this.failed(o, v);
      s.uploadId = v.uploadId;
      s.parts = [];
      await o.save();
      return true;
    }
    const piece = o.pieces.find((p) => p.sealed && o.etag(p.n) === undefined);
    if (piece) {
      const body = await this.body(piece.path);
      const v = await this.client.uploadPart(s.key, s.uploadId, piece.n, body);
      if (v.kind === 'no-upload') return this.restart(o, v.reason);
      if (v.kind !== 'ok' || !v.etag) return this.failed(o, v);
      s.parts.push({ n: piece.n, etag: v.etag });
      await o.save();
      o.restarts = 0;
      this.metrics.add('parts_uploaded');
      return true;
    }
    const parts = [...s.parts].sort((a, b) => a.n - b.n);
    const v = await this.client.completeMultipartUpload(s.key, s.uploadId, parts);
    if (v.kind === 'no-upload') {
      // completed by an earlier run that stopped before recording it?
      const h = await this.client.headObject(s.key);
      if (h.kind === 'ok') return this.done(o, 'completed earlier');
      return this.restart(o, v.reason);
    }
    if (v.kind === 'bad-parts') return this.restart(o, v.reason, true);
    if (v.kind !== 'ok') return this.failed(o, v);
    return this.done(o, `${parts.length} part(s)`);
  }

  private async put(o: StagedObject): Promise<boolean> {
    const data = await this.payload(o);
    const body = this.cfg.gzip ? await gzip(data, 6) : data;
    const v = await this.client.putObject(o.state.key, body, this.headers);
    if (v.kind !== 'ok') return this.failed(o, v);
    if (o.state.uploadId !== undefined) void this.client.abortMultipartUpload(o.state.key, o.state.uploadId);
    return this.done(o, `${body.length} bytes`);
  }

  private async payload(o: StagedObject): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (const p of o.pieces) parts.push((await readPiece(p.path, false)).data);
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private async body(path: string): Promise<Buffer> {
    const data = (await readPiece(path, false)).data;
    return this.cfg.gzip ? gzip(data, 6) : data;
  }

  private async done(o: StagedObject, what: string): Promise<boolean> {
    const records = o.records;
    await this.staging.remove(o);
    this.metrics.add('objects_uploaded');
    this.metrics.add('records_uploaded', records);
    this.log.info({ key: o.state.key, records }, `s3: uploaded s3://${this.cfg.bucket}/${o.state.key} (${what}, ${records} records)`);
    return true;
  }

  /** S3 lost the upload, or refused its parts: start it again from the pieces on disk. */
  private async restart(o: StagedObject, reason: string, abort = false): Promise<boolean> {
    const s = o.state;
    if (abort && s.uploadId !== undefined) await this.client.abortMultipartUpload(s.key, s.uploadId);
    this.log.warn({ key: s.key }, `s3: ${reason}; starting the multipart upload of ${s.key} again from the staged data`);
    s.uploadId = undefined;
    s.parts = [];
    await o.save();
    this.metrics.add('uploads_restarted');
    // go on at once with a new upload; should S3 keep losing them, back off like any failure
    o.restarts++;
    return o.restarts <= 2;
  }

  private failed(o: StagedObject, v: S3Verdict): boolean {
    const reason = 'reason' in v ? v.reason : `S3 answered ${v.kind}`;
    o.retryAfterMs = v.kind === 'retry' ? v.retryAfterMs : undefined;
    o.lastError = reason;
    this.metrics.add('errors');
    this.log.warn({ key: o.state.key, attempt: o.failures + 1 }, `s3: ${reason}; will retry (staged data is kept)`);
    return false;
  }

  private async giveUp(o: StagedObject): Promise<void> {
    const s = o.state;
    if (s.uploadId !== undefined) await this.client.abortMultipartUpload(s.key, s.uploadId);
    const records = o.records;
    await this.staging.remove(o);
    this.metrics.add('dropped_records', records);
    this.log.error({ key: s.key, records }, `s3: gave up on s3://${this.cfg.bucket}/${s.key} after ${o.failures} failed attempts (retry_limit ${this.cfg.retryLimit}): dropped ${records} record(s); last error: ${o.lastError ?? 'unknown'}`);
  }
}
