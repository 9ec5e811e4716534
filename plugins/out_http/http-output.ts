import type { Dispatcher } from 'undici';
import type { Chunk, FlushResult, OutputInstance, PluginContext } from '../../src/engine/types.js';
import { WriterPool } from '../../src/codec/byte-writer.js';
import type { createAwsAuth } from '../../src/aws/auth.js';
import { reportConnections } from '../../src/net/connection-stats.js';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { classifyStatus, signAndSend, SendError, type RequestSigner } from '../../src/sink/send.js';
import { httpConfig, type HttpConfig } from './config.js';
import { buildRequest } from './request.js';

export class HttpOutput implements OutputInstance {
  private readonly cfg: HttpConfig;
  private readonly dispatcher: Dispatcher;
  private readonly signer?: RequestSigner;
  private readonly pool = new WriterPool();

  /** `awsAuth`: src/aws/auth.js's createAwsAuth, loaded by create() only when aws_auth is on (it brings the signer). */
  constructor(private readonly ctx: PluginContext, awsAuth?: typeof createAwsAuth) {
    this.cfg = httpConfig(ctx.id, ctx.options);
    const env = ctx.env ?? process.env;
    this.dispatcher = createDestinationDispatcher({ proxy: this.cfg.proxy, tls: this.cfg.tls, connectTimeoutMs: this.cfg.connectTimeoutMs, env });
    reportConnections(ctx.metrics, this.dispatcher);
    if (this.cfg.awsService) {
      if (!awsAuth) throw new Error('aws_auth is on but the AWS signer was not loaded');
      this.signer = awsAuth(ctx.options, { service: this.cfg.awsService, style: 'aws', env, log: ctx.log, destination: this.dispatcher });
    }
  }

  async flush(chunk: Chunk): Promise<FlushResult> {
    const { req, release } = await buildRequest(this.cfg, chunk.data, this.pool);
    try {
      const res = await signAndSend(req, {
        dispatcher: this.dispatcher,
        timeoutMs: this.cfg.ioTimeoutMs,
        signer: this.signer,
        signal: this.ctx.signal,
        onRefresh: (why) => this.ctx.log.warn(`destination refused the credentials (${why}); refreshed them and re-signed once`),
      });
      release(); // answered: the body's buffer may carry the next chunk
      const verdict = classifyStatus(this.cfg.logPayload ? res : { ...res, body: Buffer.alloc(0) }, this.cfg.url.host);
      if (verdict.status !== 'ok') this.ctx.metrics.add('errors');
      return verdict;
    } catch (err) {
      this.ctx.metrics.add('errors');
      if (err instanceof SendError) return { status: 'retry', reason: err.message };
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.dispatcher.close();
  }
}
