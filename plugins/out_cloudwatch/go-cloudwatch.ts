import { randomBytes } from 'node:crypto';
import { request } from '../../src/net/undici.js';
import { withOverrides } from '../../src/config/options-override.js';
import type { PluginOptions } from '../../src/config/types.js';
import type { PluginContext } from '../../src/engine/types.js';
import { ConfigError, errorLine } from '../../src/errors.js';
import { createMetadataDispatcher } from '../../src/net/dispatchers.js';
import { destinationFromOptions } from '../../src/net/options.js';
import { compileAccessor } from '../../src/record/accessor.js';
import { CloudWatchLogsOutput } from '../out_cloudwatch_logs/cloudwatch-output.js';
import { extraConfig, RETENTION_DAYS, STREAM_NAME_RE, type CloudWatchConfig } from '../out_cloudwatch_logs/config.js';
import { compileGoTemplate, hasGoTemplate, usesEcs, type EcsMetadata } from './go-template.js';

/** `key=value,key2=value 2` → tags (spaces trimmed, empty keys skipped, the last of a key wins). */
export function parseTags(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    const k = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    if (k) out[k] = eq < 0 ? '' : pair.slice(eq + 1).trim();
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The Go plugin's `$(uuid)`: 4 bytes of time and 16 random bytes, as one id per output. */
function goUuid(): string {
  const b = Buffer.alloc(20);
  b.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
  randomBytes(16).copy(b, 4);
  return b.toString('base64url').slice(0, 27);
}

/** The Go cloudwatch plugin's keys as a CloudWatchConfig. */
export function goCloudWatchConfig(id: string, o: PluginOptions, ecs: () => EcsMetadata): CloudWatchConfig {
  const label = `output '${id}'`;
  const uuid = goUuid();
  const group = o.str('log_group_name').trim();
  const defaultGroup = o.str('default_log_group_name').trim();
  const streamName = o.optStr('log_stream_name')?.trim() || undefined;
  const prefix = o.optStr('log_stream_prefix') || undefined;
  if (streamName === undefined && prefix === undefined) {
    throw new ConfigError(`${label} needs 'log_stream_name' or 'log_stream_prefix'`, o.sectionPos, { hint: 'set log_stream_name (it may hold $(tag) and other $(var)) or log_stream_prefix' });
  }
  if (streamName !== undefined && prefix !== undefined) throw new ConfigError(`${label}: log_stream_name and log_stream_prefix cannot both be set`, o.pos('log_stream_prefix'), { hint: 'keep one' });
  const defaultStream = o.str('default_log_stream_name').trim();
  if (!STREAM_NAME_RE.test(defaultStream)) throw new ConfigError(`${label}: default_log_stream_name '${defaultStream}' is not a valid log stream name`, o.pos('default_log_stream_name'));
  const groupTemplated = hasGoTemplate(group);
  const streamTemplated = streamName !== undefined && hasGoTemplate(streamName);
  const keyText = o.optStr('log_key')?.trim() || undefined;
  let retention = o.optNum('log_retention_days');
  if (retention === 0) retention = undefined;
  if (retention !== undefined && !RETENTION_DAYS.includes(retention)) {
    throw new ConfigError(`${label}: log_retention_days ${retention} is not a retention CloudWatch accepts`, o.pos('log_retention_days'), { hint: `use one of ${RETENTION_DAYS.join(', ')}` });
  }
  return {
    logGroupName: groupTemplated ? defaultGroup : group,
    groupTemplate: groupTemplated ? compileGoTemplate(group, 'group', uuid, ecs) : undefined,
    logStreamName: streamName === undefined ? undefined : streamTemplated ? defaultStream : streamName,
    logStreamPrefix: prefix,
    streamTemplate: streamTemplated ? compileGoTemplate(streamName, 'stream', uuid, ecs) : undefined,
    logKey: keyText === undefined ? undefined : compileAccessor(keyText),
    logKeyText: keyText,
    logFormat: o.optStr('log_format')?.toLowerCase(),
    autoCreateGroup: o.bool('auto_create_group'),
    autoCreateStream: o.bool('auto_create_stream'),
    groupTags: parseTags(o.optStr('new_log_group_tags')),
    retentionDays: retention,
    endpoint: o.optStr('endpoint')?.trim() || undefined,
    ...destinationFromOptions(o),
    ...extraConfig(o),
  };
}

/** Cluster and task from the ECS task metadata endpoint (v4, else v3); empty off ECS. */
async function fetchEcsMetadata(env: NodeJS.ProcessEnv, ctx: PluginContext): Promise<EcsMetadata> {
  const base = env.ECS_CONTAINER_METADATA_URI_V4 ?? env.ECS_CONTAINER_METADATA_URI;
  if (!base) {
    ctx.log.warn('cloudwatch: $(ecs_*) in a name, but ECS_CONTAINER_METADATA_URI_V4 is not set (not on ECS): default names are used');
    return {};
  }
  const dispatcher = createMetadataDispatcher({ proxy: ctx.options.optStr('aws_metadata_proxy') || undefined });
  try {
    const res = await request(`${base.replace(/\/$/, '')}/task`, { dispatcher, signal: AbortSignal.timeout(2000) });
    const body = (await res.body.json()) as { Cluster?: string; TaskARN?: string };
    const arn = body.TaskARN;
    return { cluster: body.Cluster?.split('/').pop(), taskArn: arn, taskId: arn?.split('/').pop() };
  } catch (err) {
    ctx.log.warn(`cloudwatch: cannot read the ECS task metadata (${errorLine(err)}): default names are used for $(ecs_*)`);
    return {};
  } finally {
    await dispatcher.close();
  }
}

export function createGoCloudWatch(ctx: PluginContext): CloudWatchLogsOutput {
  const env = ctx.env ?? process.env;
  let ecs: EcsMetadata = {};
  const cfg = goCloudWatchConfig(ctx.id, ctx.options, () => ecs);
  const needEcs = usesEcs(ctx.options.str('log_group_name')) || usesEcs(ctx.options.optStr('log_stream_name') ?? '');
  // credentials_endpoint: the container provider, pointed at it, instead of the chain
  const credsEndpoint = ctx.options.optStr('credentials_endpoint')?.trim();
  const authOptions = credsEndpoint ? withOverrides(ctx.options, { aws_credential_chain: ['container'] }) : ctx.options;
  const ctxForAuth: PluginContext = credsEndpoint ? { ...ctx, env: { ...env, AWS_CONTAINER_CREDENTIALS_FULL_URI: credsEndpoint, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined } } : ctx;
  return new CloudWatchLogsOutput(ctxForAuth, {
    config: cfg,
    authOptions,
    ready: needEcs ? async () => { ecs = await fetchEcsMetadata(env, ctx); } : undefined,
  });
}
