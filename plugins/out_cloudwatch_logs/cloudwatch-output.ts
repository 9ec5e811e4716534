import type { Dispatcher } from 'undici';
import { createAwsAuth, type AwsAuth } from '../../src/aws/auth.js';
import type { Chunk, FlushResult, OutputInstance, PluginContext } from '../../src/engine/types.js';
import { errorLine } from '../../src/errors.js';
import { reportConnections } from '../../src/net/connection-stats.js';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { signAndSend } from '../../src/sink/send.js';
import { planBatches, type StreamPlan } from './batch.js';
import { classify, type Verdict } from './classify.js';
import { cloudWatchConfig, endpointUrl, type CloudWatchConfig } from './config.js';
import { encodeEvents, type Encoded } from './encode.js';
import { jsonRequest, putLogEventsBody, type Operation } from './request.js';
import { Router } from './route.js';
import { FlushTally } from './tally.js';
import { StreamOrder, StreamRegistry } from './streams.js';

export interface CloudWatchLogsDeps {
  /** Clock for the 14-day / 2-hour limits (ms since epoch). */
  now?: () => number;
  /** A config made from another plugin's keys (the Go plugin's `cloudwatch`). */
  config?: CloudWatchConfig;
  /** The options the credentials are read from (default ctx.options). */
  authOptions?: PluginContext['options'];
  /** Awaited before the first flush (ECS metadata for the Go plugin's templates). */
  ready?: () => Promise<void>;
}

const KEEP_BODIES = 2;

export class CloudWatchLogsOutput implements OutputInstance {
  private readonly cfg: CloudWatchConfig;
  private readonly dispatcher: Dispatcher;
  private readonly auth: AwsAuth;
  private readonly url: URL;
  private readonly router: Router;
  private readonly registry: StreamRegistry;
  private readonly order = new StreamOrder();
  /** PutLogEvents bodies the service has answered, reused for the next calls (no megabyte allocation per call). */
  private readonly bodies: Buffer[] = [];
  private readonly now: () => number;
  private readonly userAgent: string;
  private readonly logFormat?: string;
  private ready?: Promise<void>;
  private warnedFallback = false;

  constructor(private readonly ctx: PluginContext, deps: CloudWatchLogsDeps = {}) {
    this.cfg = deps.config ?? cloudWatchConfig(ctx.id, ctx.options);
    const env = ctx.env ?? process.env;
    this.now = deps.now ?? Date.now;
    this.dispatcher = createDestinationDispatcher({ proxy: this.cfg.proxy, tls: this.cfg.tls, connectTimeoutMs: this.cfg.connectTimeoutMs, env });
    reportConnections(ctx.metrics, this.dispatcher);
    this.auth = createAwsAuth(deps.authOptions ?? ctx.options, { service: 'logs', style: 'cloudwatch', env, log: ctx.log, destination: this.dispatcher });
    this.url = endpointUrl(this.cfg, this.auth.region, env, ctx.options, ctx.id);
    this.userAgent = this.cfg.extraUserAgent ? `wren ${this.cfg.extraUserAgent}` : 'wren';
    this.logFormat = this.cfg.emf ? 'json/emf' : this.cfg.logFormat;
    if (deps.ready) this.ready = deps.ready();
    this.router = new Router(this.cfg);
    this.registry = new StreamRegistry((op, body) => this.call(op, body), this.cfg, ctx.log);
  }

  async flush(chunk: Chunk): Promise<FlushResult> {
    if (this.ready) await this.ready;
    const enc = encodeEvents(chunk.data, this.cfg.logKey, this.cfg.emf);
    const plan = planBatches(chunk.data, chunk.tag, enc, this.router, this.now());
    // take every stream's place in line now, before the first await (see StreamOrder)
    const tickets = plan.streams.map((s) => this.order.ticket(`${s.group}\u0000${s.stream}`));
    const tally = new FlushTally(enc, plan, this.ctx.metrics, this.cfg.logKeyText);
    this.noteEncoding(enc);
    try {
      for (let i = 0; i < plan.streams.length; i++) {
        const sp = plan.streams[i]!;
        const t = tickets[i]!;
        if (tally.stopped) {
          t.done();
          for (const b of sp.batches) tally.retry(b);
          continue;
        }
        await t.turn;
        await this.writeStream(sp, enc, tally);
        t.done();
      }
    } finally {
      // whatever happened, later flushes must not wait on this one
      for (const t of tickets) t.done();
    }
    return tally.result();
  }

  /** The calls of one stream, in order; a failure that needs a retry keeps the rest of the stream back too. */
  private async writeStream(sp: StreamPlan, enc: Encoded, tally: FlushTally): Promise<void> {
    for (let b = 0; b < sp.batches.length; b++) {
      const batch = sp.batches[b]!;
      if (tally.stopped) {
        tally.retry(batch);
        continue;
      }
      const { body, buf } = putLogEventsBody(batch, enc, this.bodies.pop());
      let v = await this.call('PutLogEvents', body, batch.idx.length);
      let local = false;
      if (v.kind === 'not_found') {
        const made = await this.registry.ensure(batch.group, batch.stream);
        if (made.ok) {
          v = await this.call('PutLogEvents', body, batch.idx.length);
          if (v.kind === 'not_found') v = { kind: 'retry', reason: `${v.reason} (right after creating it; will retry)` };
        } else {
          v = made.verdict;
          local = made.local === true;
        }
      }
      if (v.kind === 'ok' || v.kind === 'exists') {
        // answered 200: the service read the whole body, which can carry the next batch
        if (this.bodies.length < KEEP_BODIES) this.bodies.push(buf);
        tally.delivered(batch, v.kind === 'ok' ? v.rejected : undefined);
        await this.registry.retryRetention(batch.group);
      } else if (v.kind === 'drop') {
        this.ctx.metrics.add('errors');
        tally.invalid(batch, v.reason);
      } else if (v.kind === 'retry') {
        this.ctx.metrics.add('errors');
        tally.fail(v, !local);
        for (let r = b; r < sp.batches.length; r++) tally.retry(sp.batches[r]!);
        return;
      }
    }
  }

  /** One signed call; network failures and signing failures become retry verdicts. */
  private async call(op: Operation, body: string | Uint8Array, n = 0): Promise<Verdict> {
    const req = jsonRequest(this.url, op, body, this.logFormat, this.userAgent);
    try {
      const res = await signAndSend(req, {
        dispatcher: this.dispatcher,
        timeoutMs: this.cfg.ioTimeoutMs,
        signer: this.auth,
        signal: this.ctx.signal,
        autoRetry: this.cfg.autoRetry,
        onRefresh: (why) => this.ctx.log.warn(`CloudWatch Logs refused the credentials (${why}); refreshed them and re-signed once`),
      });
      return classify(res, op, n);
    } catch (err) {
      return { kind: 'retry', reason: `CloudWatch Logs ${op}: ${errorLine(err)}` };
    }
  }

  private noteEncoding(enc: Encoded): void {
    const m = this.ctx.metrics;
    if (enc.truncated > 0) {
      m.add('truncated_records', enc.truncated);
      this.ctx.log.warn({ records: enc.truncated }, `truncated ${enc.truncated} message(s) over the CloudWatch Logs event size limit (1,048,550 bytes)`);
    }
    const fb = this.router.takeFallbacks();
    if (fb.group + fb.stream > 0) {
      m.add('template_fallbacks', fb.group + fb.stream);
      const msg = `${fb.group} record(s) used log_group_name '${this.cfg.logGroupName}' and ${fb.stream} the plain log stream name: a field of the template was missing or gave an invalid name`;
      if (this.warnedFallback) this.ctx.log.debug(msg);
      else this.ctx.log.warn(msg + ' (logged once; later ones at debug level)');
      this.warnedFallback = true;
    }
  }

  async stop(): Promise<void> {
    await this.dispatcher.close();
  }
}
