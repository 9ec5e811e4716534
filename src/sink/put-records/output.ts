import type { Dispatcher } from 'undici';
import { createAwsAuth, type AwsAuth } from '../../aws/auth.js';
import { resolveServiceEndpoint } from '../../aws/service-endpoint.js';
import type { TimeFlavor } from '../../codec/aws-time-format.js';
import type { Chunk, FlushResult, OutputInstance, PluginContext } from '../../engine/types.js';
import { errorLine } from '../../errors.js';
import { reportConnections } from '../../net/connection-stats.js';
import { createDestinationDispatcher } from '../../net/dispatchers.js';
import { signAndSend } from '../send.js';
import { classifyPut, headSaysNoFailures } from './classify.js';
import { readPutRecordsConfig, type PutRecordsConfig } from './config.js';
import { PutFlushState } from './flush-state.js';
import { bodyHead, buildBody, callOverhead, putRequest, unitCost } from './request.js';
import type { StreamService } from './service.js';
import { UnitEncoder, type Units } from './units.js';
import { WasmBodies } from './wasm-bodies.js';

/** Most bodies made in WebAssembly memory at once (more workers than this: the rest by buildBody). */
const MAX_SLOTS = 8;

/**
 * The Kinesis-family outputs (kinesis_firehose / firehose, kinesis_streams / kinesis):
 *   encode (records → service records, per-record limits) → batch (≤ 500 records, call size) →
 *   build (base64 in place) → sign → send → classify (per-record failures).
 * Only what failed is sent again: the records of failed entries, and the calls not made after a
 * whole-call failure. With a configured partition key, a record whose key failed holds back the
 * later records of that key in the same flush, so a key's records reach their shard in order.
 */
export class PutRecordsOutput implements OutputInstance {
  readonly cfg: PutRecordsConfig;
  private readonly dispatcher: Dispatcher;
  private readonly auth: AwsAuth;
  readonly url: URL;
  private readonly encoder: UnitEncoder;
  private readonly what: string;
  /** Every body's start (the stream's name). */
  private readonly head: Buffer;
  private readonly userAgent = 'wren';
  /** Request bodies, reused: a body goes back once the service answered 200 (it read all of it). */
  private readonly bodies: Buffer[] = [];
  /** Bodies are made in WebAssembly memory where it is there (else, and when it is busy, by buildBody). */
  private readonly wasmBodies: WasmBodies | undefined;
  private readonly skipBody = (head: Buffer) => headSaysNoFailures(this.cfg.service, head);

  constructor(private readonly ctx: PluginContext, service: StreamService, flavor: TimeFlavor) {
    this.cfg = readPutRecordsConfig(ctx.id, ctx.options, service, flavor);
    const env = ctx.env ?? process.env;
    this.dispatcher = createDestinationDispatcher({ proxy: this.cfg.proxy, tls: this.cfg.tls, connectTimeoutMs: this.cfg.connectTimeoutMs, env });
    reportConnections(ctx.metrics, this.dispatcher);
    this.auth = createAwsAuth(ctx.options, { service: service.signingName, style: 'cloudwatch', env, log: ctx.log, destination: this.dispatcher });
    this.url = resolveServiceEndpoint({
      serviceId: service.serviceId, hostPrefix: service.serviceId, region: this.auth.region, env,
      profile: ctx.options.optStr('profile') || undefined, explicit: this.cfg.endpoint, label: `output '${ctx.id}'`, pos: ctx.options.pos('endpoint'),
    }).url;
    this.encoder = new UnitEncoder(this.cfg);
    this.what = `${service.name} ${this.cfg.target}`;
    this.head = bodyHead(service, this.cfg.target);
    // a slot per flush that may run at once (`workers`): the calls of one flush go one at a time
    this.wasmBodies = WasmBodies.create(service, Math.min(ctx.options.optNum('workers') ?? 1, MAX_SLOTS));
    for (const w of this.cfg.warnings) ctx.log.warn(w);
  }

  async flush(chunk: Chunk): Promise<FlushResult> {
    const units = this.encoder.encode(chunk.data);
    try {
      this.noteEncoding(units);
      const st = new PutFlushState(units, this.ctx.metrics, this.what);
      const svc = this.cfg.service;
      const overhead = callOverhead(svc, this.head);
      const holdKeys = svc.partitionKeys && this.cfg.partitionKey !== undefined;
      let batch: number[] = [];
      let size = overhead;
      const sendBatch = async () => {
        if (batch.length > 0) await this.send(units, batch, st);
        batch = [];
        size = overhead;
      };
      for (let u = 0; u < units.count; u++) {
        if (st.stopped || (holdKeys && st.failedKeys.has(units.keys[u]!))) {
          st.retryUnit(u);
          continue;
        }
        const cost = unitCost(svc, units, u);
        if (batch.length >= svc.maxRecords || (batch.length > 0 && size + cost > svc.maxCallBytes)) await sendBatch();
        if (st.stopped || (holdKeys && st.failedKeys.has(units.keys[u]!))) {
          st.retryUnit(u);
          continue;
        }
        batch.push(u);
        size += cost;
      }
      await sendBatch();
      return st.result();
    } finally {
      units.release();
    }
  }

  /** One call with units `idx`; a 413 sends its halves instead. */
  private async send(units: Units, idx: number[], st: PutFlushState): Promise<void> {
    const svc = this.cfg.service;
    const made = this.wasmBodies?.build(this.head, units, idx, svc.partitionKeys);
    const js = made === undefined ? buildBody(svc, this.head, units, idx, this.bodies.pop()) : undefined;
    const body = made?.body ?? js!.body;
    let res;
    try {
      res = await signAndSend(putRequest(this.url, svc, body, this.userAgent), {
        dispatcher: this.dispatcher,
        timeoutMs: this.cfg.ioTimeoutMs,
        signer: this.auth,
        signal: this.ctx.signal,
        autoRetry: this.cfg.autoRetry,
        skipBody: this.skipBody,
        onAutoRetry: (why) => this.ctx.log.debug(`${svc.signingName}: retrying at once after a network error (auto_retry_requests): ${why}`),
        onRefresh: (why) => this.ctx.log.warn(`${svc.name} refused the credentials (${why}); refreshed them and re-signed once`),
      });
    } catch (err) {
      this.ctx.metrics.add('errors');
      st.retryAll(idx, `${this.what}: ${errorLine(err)}`, undefined, true);
      return;
    } finally {
      if (made !== undefined) this.wasmBodies!.release(made.slot);
    }
    if (js !== undefined && res.status === 200 && this.bodies.length < 4) this.bodies.push(js.buf);
    const v = classifyPut(res, svc, idx.length, this.what);
    switch (v.kind) {
      case 'ok':
        st.delivered(idx);
        return;
      case 'partial': {
        this.ctx.metrics.add('errors');
        const failed = new Set(v.failed);
        const ok: number[] = [];
        const again: number[] = [];
        for (let k = 0; k < idx.length; k++) (failed.has(k) ? again : ok).push(idx[k]!);
        st.delivered(ok);
        st.retryAll(again, v.reason, undefined, v.throttled);
        this.ctx.log.warn({ records: again.length }, `${v.reason}; sending only those again`);
        return;
      }
      case 'too-large': {
        if (idx.length < 2) {
          st.dropUnits(idx, `${v.reason}: one record alone is too large for the endpoint`);
          return;
        }
        const mid = idx.length >> 1;
        this.ctx.log.warn({ records: idx.length, bytes: body.length }, `${v.reason}; sending the call in two halves`);
        for (const half of [idx.slice(0, mid), idx.slice(mid)]) {
          if (st.stopped) st.retryAll(half);
          else await this.send(units, half, st);
        }
        return;
      }
      case 'retry':
        this.ctx.metrics.add('errors');
        st.retryAll(idx, v.reason, v.retryAfterMs, true);
        return;
      case 'drop':
        this.ctx.metrics.add('errors');
        st.dropUnits(idx, v.reason);
        return;
    }
  }

  private noteEncoding(units: Units): void {
    const t = units.tally;
    const m = this.ctx.metrics;
    const svc = this.cfg.service;
    if (t.truncated > 0) {
      m.add('truncated_records', t.truncated);
      this.ctx.log.warn({ records: t.truncated }, `truncated ${t.truncated} record(s) to the ${svc.name} record limit (${svc.maxRecordBytes} bytes${svc.partitionKeys ? ' with the partition key' : ''}), ending them with [Truncated...]`);
    }
  }

  async stop(): Promise<void> {
    await this.dispatcher.close();
  }
}
