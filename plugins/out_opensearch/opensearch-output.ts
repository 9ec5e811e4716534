import type { Dispatcher } from 'undici';
import type { createAwsAuth } from '../../src/aws/auth.js';
import type { Chunk, FlushResult, OutputInstance, PluginContext } from '../../src/engine/types.js';
import { reportConnections } from '../../src/net/connection-stats.js';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { bodySnippet, signAndSend, SendError, type RequestSigner } from '../../src/sink/send.js';
import { cutBatches, halves, type Range } from './batch.js';
import { bulkHeadSaysNoErrors, classifyBulk } from './classify.js';
import { opensearchConfig, type OpenSearchConfig } from './config.js';
import { DeadLetterFile } from './dead-letter.js';
import { BulkEncoder, type EncodedBulk } from './encode.js';
import { FlushState } from './flush-state.js';
import { buildBulkRequest } from './request.js';

/**
 * encode (one NDJSON buffer per chunk) → batch (requests under batch_size) → build (gzip on the
 * thread pool) → sign → send → classify item by item. Requests of a chunk go one after the other;
 * `workers` flushes run side by side.
 */
export class OpenSearchOutput implements OutputInstance {
  private readonly cfg: OpenSearchConfig;
  private readonly dispatcher: Dispatcher;
  private readonly signer?: RequestSigner;
  private readonly encoder: BulkEncoder;
  private readonly deadLetters?: DeadLetterFile;
  private readonly where: string;

  /** `awsAuth`: src/aws/auth.js's createAwsAuth, loaded by create() only when aws_auth is on (it brings the signer). */
  constructor(private readonly ctx: PluginContext, awsAuth?: typeof createAwsAuth) {
    this.cfg = opensearchConfig(ctx.id, ctx.options, ctx.baseDir);
    const env = ctx.env ?? process.env;
    this.dispatcher = createDestinationDispatcher({ proxy: this.cfg.proxy, tls: this.cfg.tls, connectTimeoutMs: this.cfg.connectTimeoutMs, env });
    reportConnections(ctx.metrics, this.dispatcher);
    if (this.cfg.awsService) {
      if (!awsAuth) throw new Error('aws_auth is on but the AWS signer was not loaded');
      this.signer = awsAuth(ctx.options, { service: this.cfg.awsService, style: 'aws', env, log: ctx.log });
    }
    this.encoder = new BulkEncoder(this.cfg.encode);
    if (this.cfg.deadLetterPath) this.deadLetters = new DeadLetterFile(this.cfg.deadLetterPath, ctx.log, this.cfg.deadLetterMode);
    this.where = `OpenSearch ${this.cfg.url.host}`;
    for (const w of this.cfg.warnings) ctx.log.warn(w);
  }

  async flush(chunk: Chunk): Promise<FlushResult> {
    const enc = this.encoder.encode(chunk.data, chunk.tag, Date.now());
    try {
      const st = new FlushState(enc, chunk.tag);
      for (const r of enc.rejected) st.failUnencoded(chunk.data, r.pos, r.index, r.reason);
      const { ranges, oversize } = cutBatches(enc.starts, this.cfg.batchSize);
      if (oversize.length > 0) this.dropOversize(enc, st, oversize, `over batch_size (${this.cfg.batchSize} bytes)`);
      for (const r of ranges) {
        if (st.stopped) st.retryRange(r);
        else await this.send(enc, r, st);
      }
      if (st.dead.length > 0) {
        this.ctx.metrics.add('refused_records', st.dead.length);
        await this.deadLetters?.write(st.dead);
      }
      return st.result(this.where, this.cfg.deadLetterPath);
    } finally {
      // With gzip, what went on the wire was the compressed copy, so the NDJSON buffer can serve
      // the next chunk. Uncompressed, the socket may still hold a slice of it (a server may answer
      // before reading the whole body): that buffer is left to the garbage collector.
      if (this.cfg.gzip) enc.release();
    }
  }

  private dropOversize(enc: EncodedBulk, st: FlushState, positions: number[], cap: string): void {
    let largest = 0;
    for (const p of positions) largest = Math.max(largest, enc.starts[p + 1]! - enc.starts[p]!);
    for (const p of positions) st.fail(p, 413, `the record alone is ${enc.starts[p + 1]! - enc.starts[p]!} bytes of NDJSON, ${cap}`);
    this.ctx.log.error({ records: positions.length, largest_bytes: largest }, `dropping ${positions.length} record(s) too large to send: the largest is ${largest} bytes of NDJSON, ${cap}`);
  }

  /** Send events [r.from, r.to) as one request; on 413 send its halves instead. */
  private async send(enc: EncodedBulk, r: Range, st: FlushState): Promise<void> {
    const body = enc.body.subarray(enc.starts[r.from]!, enc.starts[r.to]!);
    if (this.cfg.traceOutput) this.ctx.log.info({ bytes: body.length }, `request body: ${body.subarray(0, 4096).toString('utf8')}`);
    let res;
    try {
      const req = await buildBulkRequest(this.cfg, body);
      res = await signAndSend(req, {
        dispatcher: this.dispatcher,
        timeoutMs: this.cfg.ioTimeoutMs,
        signer: this.signer,
        signal: this.ctx.signal,
        skipBody: bulkHeadSaysNoErrors,
        onRefresh: (why) => this.ctx.log.warn(`OpenSearch refused the credentials (${why}); refreshed them and re-signed once`),
      });
    } catch (err) {
      if (!(err instanceof SendError)) throw err;
      this.ctx.metrics.add('errors');
      st.retryRange(r, err.message);
      st.stopped = true;
      return;
    }
    const count = r.to - r.from;
    const v = classifyBulk(res, count, this.where);
    if (this.cfg.traceError && (v.kind !== 'items' || v.failed.length > 0 || v.retry.length > 0)) {
      this.ctx.log.error({ status: res.status }, `OpenSearch answer: ${bodySnippet(res.body, 4096)}`);
    }
    switch (v.kind) {
      case 'items':
        for (const p of v.retry) st.retry(r.from + p, v.retryReason);
        for (const f of v.failed) st.fail(r.from + f.pos, f.status, f.reason);
        if (v.retry.length > 0) this.ctx.metrics.add('retried_items', v.retry.length);
        return;
      case 'too-large': {
        const parts = halves(r);
        if (parts === undefined) {
          this.dropOversize(enc, st, [r.from], `over the request cap of ${this.where} (413)`);
          return;
        }
        this.ctx.log.warn({ records: count, bytes: body.length }, `${this.where} refused a request of ${body.length} bytes as too large (413); sending it in two halves (lower batch_size to avoid this)`);
        for (const half of parts) {
          if (st.stopped) st.retryRange(half);
          else await this.send(enc, half, st);
        }
        return;
      }
      case 'retry':
        this.ctx.metrics.add('errors');
        st.retryRange(r, v.reason, v.retryAfterMs);
        st.stopped = true;
        return;
      case 'refused':
        this.ctx.metrics.add('errors');
        for (let i = r.from; i < r.to; i++) st.fail(i, v.status, `the whole request was refused: ${v.reason}`);
        return;
    }
  }

  async stop(): Promise<void> {
    await this.deadLetters?.write([]);
    await this.dispatcher.close();
  }
}
