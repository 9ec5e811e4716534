import type { Dispatcher } from 'undici';
import { createAwsAuth } from '../../src/aws/auth.js';
import { profileName, profileRegionSync } from '../../src/aws/credentials/shared-files.js';
import { resolveServiceEndpoint } from '../../src/aws/service-endpoint.js';
import { WriterPool } from '../../src/codec/byte-writer.js';
import { writeRecord } from '../../src/codec/json.js';
import { withOverrides } from '../../src/config/options-override.js';
import type { PluginOptions } from '../../src/config/types.js';
import type { Chunk, FlushResult, OutputInstance, PluginContext } from '../../src/engine/types.js';
import { errorLine } from '../../src/errors.js';
import { reportConnections } from '../../src/net/connection-stats.js';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { getPath, type Path } from '../../src/record/accessor.js';
import { S3Client } from './client.js';
import { MAX_PARTS, s3Config, type S3Config } from './config.js';
import { hasIndex, renderKey } from './key-format.js';
import { Staging, type StagedObject } from './staging.js';
import { Uploader } from './uploader.js';

/** How long stop() keeps uploading what is staged before leaving it for the next start. */
const STOP_BUDGET_MS = 10_000;


/**
 * Fluent Bit's s3 output. A flush stages its chunk as JSON lines in store_dir (appended to the
 * open piece of its tag's object, fsynced) and answers ok: from then on the records are the
 * output's, and survive a crash or kill -9 (a restart finishes what was staged). Uploads run
 * beside the flushes (uploader.ts): multipart parts of upload_chunk_size, objects completed at
 * total_file_size or upload_timeout, or whole objects with PutObject.
 */
export class S3Output implements OutputInstance {
  private readonly cfg: S3Config;
  private readonly dispatcher: Dispatcher;
  private readonly staging: Staging;
  private readonly uploader: Uploader;
  private readonly pool = new WriterPool();
  private readonly abort = new AbortController();
  private ready?: Promise<void>;
  private tickTimer?: NodeJS.Timeout;
  /** Staging operations run one at a time (flushes of several workers, the timer, stop). */
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  readonly pathStyle: boolean;
  readonly endpoint: URL;

  constructor(private readonly ctx: PluginContext) {
    this.cfg = s3Config(ctx.id, ctx.options, ctx.baseDir);
    const env = ctx.env ?? process.env;
    this.dispatcher = createDestinationDispatcher({ proxy: this.cfg.proxy, tls: this.cfg.tls, connectTimeoutMs: this.cfg.connectTimeoutMs, env });
    reportConnections(ctx.metrics, this.dispatcher);
    const auth = createAwsAuth(withDefaultRegion(ctx), { service: 's3', style: 'cloudwatch', env, log: ctx.log, destination: this.dispatcher });
    const ep = resolveServiceEndpoint({
      serviceId: 's3', hostPrefix: 's3', region: auth.region, env, profile: ctx.options.optStr('profile') || undefined,
      explicit: this.cfg.endpoint, label: `output '${ctx.id}'`, pos: ctx.options.pos('endpoint'),
    });
    this.endpoint = ep.url;
    // virtual-hosted only on AWS's own endpoint and for names that make a valid TLS host
    this.pathStyle = ep.custom || this.cfg.bucket.includes('.');
    const client = new S3Client({
      endpoint: ep.url, pathStyle: this.pathStyle, bucket: this.cfg.bucket, dispatcher: this.dispatcher, auth,
      timeoutMs: this.cfg.ioTimeoutMs, contentMd5: this.cfg.contentMd5, autoRetry: this.cfg.autoRetry, signal: this.abort.signal,
      onRefresh: (why) => ctx.log.warn(`S3 refused the credentials (${why}); refreshed them and re-signed once`),
    });
    this.staging = new Staging(this.cfg.dir, ctx.log);
    this.uploader = new Uploader(this.cfg, this.staging, client, ctx.log, ctx.metrics);
    for (const n of this.cfg.notes) ctx.log.info(`s3: ${n}`);
  }

  /**
   * Wren runs: take store_dir and finish what a previous run staged. (Not done while building:
   * `wren check` builds outputs and must leave store_dir alone.)
   */
  start(): Promise<void> {
    this.ready ??= (async () => {
      await this.staging.open(`output '${this.ctx.id}'`);
      for (const o of [...this.staging.objects]) if (o.pieces.length === 0) await this.staging.remove(o);
      const every = Math.min(60_000, Math.max(250, Math.floor(this.cfg.uploadTimeoutMs / 6)));
      this.tickTimer = setInterval(() => void this.serial(() => this.closeTimedOut()), every);
      this.tickTimer.unref();
      this.uploader.kick();
    })();
    return this.ready;
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const p = this.queue.then(f, f);
    this.queue = p.catch(() => undefined);
    return p;
  }

  async flush(chunk: Chunk): Promise<FlushResult> {
    if (this.stopped) return { status: 'retry', reason: 's3 output is stopping' };
    try {
      await this.start();
    } catch (err) {
      return { status: 'retry', reason: `cannot use store_dir: ${errorLine(err)}` };
    }
    const w = this.pool.take();
    try {
      const { records, missing } = this.encode(chunk, w);
      const dropped = missing > 0 ? { dropped: missing, dropReason: `${missing} record(s) without log_key '${this.cfg.logKeyText ?? ''}'` } : {};
      if (missing > 0) this.ctx.metrics.add('dropped_no_log_key', missing);
      if (records === 0) return { status: 'ok', ...dropped };
      const limit = this.cfg.dirLimit;
      if (limit > 0 && this.staging.bytes + w.pos > limit) {
        return { status: 'retry', reason: `store_dir ${this.cfg.dir} is full (store_dir_limit_size ${limit} bytes, ${this.staging.bytes} staged): waiting for uploads` };
      }
      await this.serial(() => this.stage(chunk.tag, chunk.data.times[0] ?? Date.now(), w.buf.subarray(0, w.pos), records));
      return { status: 'ok', ...dropped };
    } catch (err) {
      this.ctx.metrics.add('errors');
      return { status: 'retry', reason: `cannot stage the chunk in ${this.cfg.dir}: ${errorLine(err)}` };
    } finally {
      this.pool.give(w);
    }
  }

  /** JSON lines: the record with its date key first, or only log_key's value. */
  private encode(chunk: Chunk, w: ReturnType<WriterPool['take']>): { records: number; missing: number } {
    const data = chunk.data;
    const logKey = this.cfg.logKey;
    let records = 0;
    let missing = 0;
    for (let i = 0; i < data.count; i++) {
      if (logKey === undefined) {
        writeRecord(w, data, i, this.cfg.date);
      } else {
        const v = valueAt(data.record(i), logKey);
        if (v === undefined) {
          missing++;
          continue;
        }
        w.text(v);
      }
      w.byte(0x0a);
      records++;
    }
    return { records, missing };
  }

  private async stage(tag: string, firstTime: number, payload: Buffer, records: number): Promise<void> {
    const cfg = this.cfg;
    let obj = this.staging.current(tag);
    if (!obj) {
      const sec = Math.floor(firstTime / 1000);
      obj = await this.staging.create(tag, cfg.putObject, Date.now(), (index) => renderKey({
        format: cfg.keyFormat, tag, delimiters: cfg.tagDelimiters, timeSec: sec, index, putObject: cfg.putObject, staticFilePath: cfg.staticFilePath,
      }), hasIndex(cfg.keyFormat));
    }
    const piece = await this.staging.append(obj, payload, records);
    this.ctx.metrics.add('records_staged', records);
    let kick = false;
    if (piece.bytes >= cfg.chunkSize) {
      await this.staging.seal(obj);
      if (cfg.putObject) obj.closing = true;
      kick = true;
    }
    if (!cfg.putObject && (obj.stagedBytes >= cfg.totalFileSize || obj.pieces.length >= MAX_PARTS)) {
      await this.close(obj);
      kick = true;
    }
    if (kick) this.uploader.kick();
  }

  private async close(obj: StagedObject): Promise<void> {
    await this.staging.seal(obj);
    obj.closing = true;
    if (obj.pieces.length === 0) await this.staging.remove(obj);
  }

  /** upload_timeout: objects started that long ago are completed, whatever their size. */
  private async closeTimedOut(): Promise<void> {
    const now = Date.now();
    let any = false;
    for (const o of [...this.staging.objects]) {
      if (!o.closing && now - o.state.created >= this.cfg.uploadTimeoutMs) {
        await this.close(o);
        any = true;
      }
    }
    if (any) this.uploader.kick();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.ready) {
      try {
        await this.ready;
        await this.serial(async () => {
          for (const o of [...this.staging.objects]) if (!o.closing) await this.close(o);
        });
        await this.drainUploads();
      } catch (err) {
        this.ctx.log.error(`s3: ${errorLine(err)}`);
      }
      this.uploader.stop();
      this.abort.abort();
      await this.uploader.idle();
      const left = this.staging.objects;
      if (left.length > 0) {
        const records = left.reduce((n, o) => n + o.records, 0);
        this.ctx.log.warn({ objects: left.length, records }, `s3: ${left.length} object(s) (${records} records) stay staged in ${this.cfg.dir}; the next start uploads them`);
      }
      for (const o of left) await o.writer?.close();
      this.staging.unlock();
    }
    await this.dispatcher.close();
  }

  /**
   * Upload what is staged, for at most STOP_BUDGET_MS, backoffs cut short; a round that moved
   * nothing (S3 unreachable or refusing) ends it: the next start carries on from store_dir.
   */
  private async drainUploads(): Promise<void> {
    const deadline = Date.now() + STOP_BUDGET_MS;
    let progress = true;
    while (progress && Date.now() < deadline && this.staging.objects.length > 0) {
      const before = this.uploader.steps;
      for (const o of this.staging.objects) o.notBefore = 0;
      this.uploader.kick();
      await this.uploader.idle();
      progress = this.uploader.steps > before;
    }
  }
}

function valueAt(rec: Record<string, unknown>, path: Path): string | undefined {
  const v = path.length === 1 ? rec[path[0] as string] : getPath(rec, path);
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Fluent Bit's s3 defaults `region` to us-east-1; Wren reads AWS_REGION and the profile first, then that. */
function withDefaultRegion(ctx: PluginContext): PluginOptions {
  const o = ctx.options;
  const env = ctx.env ?? process.env;
  if (o.optStr('region') || env.AWS_REGION || env.AWS_DEFAULT_REGION) return o;
  if (profileRegionSync(env, profileName(o.optStr('profile') || undefined, env).name)) return o;
  return withOverrides(o, { region: 'us-east-1' });
}
