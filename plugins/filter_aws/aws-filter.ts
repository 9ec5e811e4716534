import type { Dispatcher } from 'undici';
import { detectEc2 } from '../../src/aws/credentials/ec2-detect.js';
import { ImdsClient } from '../../src/aws/credentials/imds-client.js';
import { imdsDisabledByEnv, imdsEndpoint } from '../../src/aws/credentials/imds.js';
import { parseBool } from '../../src/config/values.js';
import type { FilterInstance, LogEvent, PluginContext, PluginMetrics } from '../../src/engine/types.js';
import { ConfigError, errorLine } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { createMetadataDispatcher } from '../../src/net/dispatchers.js';
import { readAwsFilterConfig, type AwsFilterConfig, type Field } from './config.js';
import { fetchGroups, type Group } from './metadata-fetch.js';
import { hasField, setField } from '../../src/record/fields.js';

const FIRST_RETRY_MS = 1000;

/**
 * The aws filter: metadata is fetched beside the pipeline (once at start, again every
 * refresh_interval), through the shared IMDS client on the metadata traffic class (direct, or
 * aws_metadata_proxy; never the environment's proxy). `filter()` never waits: it appends what has
 * arrived so far, and counts the records that went on while some of it was still missing
 * (`records_without_metadata`).
 */
export class AwsFilter implements FilterInstance {
  private readonly cfg: AwsFilterConfig;
  private readonly log: Logger;
  private readonly metrics: PluginMetrics;
  private readonly values = new Map<Field, string>();
  private tags?: [string, string][];
  /** Groups wanted and not fetched yet. */
  private readonly missing = new Set<Group>();
  /** The fields appended to every record, rebuilt when metadata changes. */
  private keys: string[] = [];
  private vals: string[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;
  private arrived = false;
  private warnedNoTags = false;
  private dispatcher?: Dispatcher;
  private client?: ImdsClient;

  constructor(private readonly ctx: PluginContext) {
    this.cfg = readAwsFilterConfig(ctx.id, ctx.options);
    this.log = ctx.log;
    this.metrics = ctx.metrics;
    const o = ctx.options;
    const imds = (o.optStr('aws_imds') ?? 'auto').toLowerCase();
    if (imds !== 'auto' && parseBool(imds) === undefined) throw new ConfigError(`aws_imds must be on, off or auto, not '${imds}'`, o.pos('aws_imds'));
    for (const f of this.cfg.fields) this.missing.add(f);
    if (this.cfg.entity) {
      this.missing.add('ec2_instance_id');
      this.missing.add('account_id');
    }
    if (this.cfg.tags) this.missing.add('tags');
  }

  /** Begin fetching, in the background. */
  start(): void {
    if (this.missing.size === 0) return;
    void this.first().catch((err: unknown) => this.log.error(`EC2 metadata: ${errorLine(err)}`));
  }

  private async first(): Promise<void> {
    const o = this.ctx.options;
    const env = this.ctx.env ?? process.env;
    const mode = (o.optStr('aws_imds') ?? 'auto').toLowerCase();
    let off: string | undefined;
    if (mode !== 'auto' && parseBool(mode) === false) off = 'aws_imds is off';
    else if (imdsDisabledByEnv(env)) off = 'AWS_EC2_METADATA_DISABLED is set';
    else if (mode === 'auto') {
      const v = await detectEc2(o.optStr('aws_sysfs_root') || '/sys');
      if (v.verdict === 'not-ec2') off = `not an EC2 host (${v.evidence}); set aws_imds: on to try IMDS anyway`;
    }
    if (off) {
      this.log.warn(`EC2 metadata will not be fetched: ${off}. Records go on without it (counted in records_without_metadata)`);
      return;
    }
    const timeoutMs = o.optNum('aws_imds_timeout') ?? 1000;
    this.dispatcher = createMetadataDispatcher({ proxy: o.optStr('aws_metadata_proxy') || undefined, connectTimeoutMs: timeoutMs });
    this.client = new ImdsClient({
      endpoint: imdsEndpoint(o.optStr('aws_imds_endpoint') || undefined, env),
      dispatcher: this.dispatcher,
      timeoutMs,
      v1Fallback: (o.has('aws_imds_v1_fallback') ? o.bool('aws_imds_v1_fallback') : true) && parseBool(env.AWS_EC2_METADATA_V1_DISABLED ?? '') !== true,
      log: this.log,
      version: this.cfg.imdsVersion,
    });
    await this.round([...this.missing]);
  }

  /** Fetch `groups`; keep what came, then schedule a retry (something missing) or the next refresh. */
  private async round(groups: Group[]): Promise<void> {
    if (this.stopped || !this.client) return;
    const r = await fetchGroups(this.client, groups);
    if (this.stopped) return;
    for (const [f, v] of r.values) {
      this.values.set(f, v);
      this.missing.delete(f);
    }
    if (r.tags) {
      this.tags = r.tags;
      this.missing.delete('tags');
      if (r.tagsMissing && !this.warnedNoTags) {
        this.warnedNoTags = true;
        this.log.warn('IMDS has no instance tags (404): the instance has none, or instance-metadata-tags is not enabled; no tags are added');
      }
    }
    this.render();
    if (this.missing.size > 0) {
      const delay = Math.min(this.cfg.retryMaxMs, FIRST_RETRY_MS * 2 ** Math.min(this.failures, 20));
      const why = [...r.errors].map(([g, e]) => `${g}: ${errorLine(e)}`).join('; ') || 'IMDS did not answer';
      const msg = `EC2 metadata not fetched yet (${[...this.missing].join(', ')}): ${why}. Records go on without it; retrying in ${delay} ms`;
      if (this.failures === 0) this.log.warn(msg);
      else this.log.debug(msg);
      this.failures++;
      this.schedule(delay, [...this.missing]);
      return;
    }
    if (r.errors.size > 0) {
      this.log.warn(`EC2 metadata refresh failed (${[...r.errors].map(([g, e]) => `${g}: ${errorLine(e)}`).join('; ')}); keeping the values fetched before`);
    } else if (!this.arrived) {
      this.log.info({ via: this.client.how, fields: this.keys }, 'EC2 metadata fetched');
    }
    this.arrived = true;
    this.failures = 0;
    if (this.cfg.refreshMs > 0) this.schedule(this.cfg.refreshMs, this.allGroups());
  }

  private allGroups(): Group[] {
    const g = new Set<Group>(this.cfg.fields);
    if (this.cfg.entity) { g.add('ec2_instance_id'); g.add('account_id'); }
    if (this.cfg.tags) g.add('tags');
    return [...g];
  }

  private schedule(ms: number, groups: Group[]): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.round(groups).catch((err: unknown) => this.log.error(`EC2 metadata: ${errorLine(err)}`)), ms);
    this.timer.unref();
  }

  /** Rebuild the fields appended to records, in Fluent Bit's order. */
  private render(): void {
    const keys: string[] = [];
    const vals: string[] = [];
    for (const f of this.cfg.fields) {
      const v = this.values.get(f);
      if (v !== undefined) { keys.push(f); vals.push(v); }
    }
    if (this.cfg.tags && this.tags) {
      const inc = this.cfg.tagsInclude;
      const exc = this.cfg.tagsExclude;
      for (const [k, v] of this.tags) {
        if ((inc && !inc.has(k)) || exc?.has(k)) continue;
        keys.push(k);
        vals.push(v);
      }
    }
    const id = this.values.get('ec2_instance_id');
    const account = this.values.get('account_id');
    if (this.cfg.entity && id !== undefined && account !== undefined) {
      keys.push('aws_entity_ec2_instance_id', 'aws_entity_account_id');
      vals.push(id, account);
    }
    this.keys = keys;
    this.vals = vals;
  }

  filter(events: LogEvent[]): LogEvent[] {
    if (this.missing.size > 0) this.metrics.add('records_without_metadata', events.length);
    const keys = this.keys;
    const vals = this.vals;
    const n = keys.length;
    if (n === 0) return events;
    for (let i = 0; i < events.length; i++) {
      const r = events[i]!.record;
      for (let k = 0; k < n; k++) {
        const key = keys[k]!;
        if (hasField(r, key)) delete r[key];
        setField(r, key, vals[k]);
      }
    }
    return events;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.dispatcher?.destroy();
  }
}
