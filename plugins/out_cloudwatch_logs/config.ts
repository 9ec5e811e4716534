import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { ConfigError } from '../../src/errors.js';
import { CLOUDWATCH_AWS_OPTIONS } from '../../src/aws/options.js';
import { configuredEndpoint } from '../../src/aws/configured-endpoint.js';
import { resolveServiceEndpoint } from '../../src/aws/service-endpoint.js';
import { PROXY_OPTIONS, TLS_OPTIONS, destinationFromOptions, type DestinationKeys } from '../../src/net/options.js';
import { compileAccessor, compileTemplate, type Path, type Template } from '../../src/record/accessor.js';
import { NET_OPTIONS } from '../../src/sink/options.js';

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Log group names: 1-512 of `[.\-_/#A-Za-z0-9]`. Stream names: 1-512, no `:` or `*`. */
export const GROUP_NAME_RE = /^[.\-_/#A-Za-z0-9]{1,512}$/;
export const STREAM_NAME_RE = /^[^:*]{1,512}$/;

/** Keys Fluent Bit's cloudwatch_logs has beyond the naming ones (also taken by the Go-named `cloudwatch`). */
export const CLOUDWATCH_EXTRA_OPTIONS: readonly OptionSpec[] = [
  { key: 'extra_user_agent', type: 'string', desc: 'Text appended to the User-Agent of every request (as Fluent Bit and the Go plugin).' },
  { key: 'auto_retry_requests', type: 'bool', default: 'on', desc: 'Send a request again at once, once, after a network error, before the retry with backoff.' },
  { key: 'metric_namespace', type: 'string', desc: "EMF: send each record as an Embedded Metric Format document in this namespace, its top-level numbers as metrics (header json/emf); records without numbers go as they are." },
  { key: 'metric_dimensions', type: 'string', desc: 'EMF dimensions with metric_namespace: key names, comma-separated; several sets separated by ; (e.g. pod,ns;ns).' },
];

export const CLOUDWATCH_OPTIONS: readonly OptionSpec[] = [
  { key: 'log_group_name', type: 'string', required: true, desc: 'Log group to send to (also the fallback when log_group_template cannot be rendered).' },
  { key: 'log_group_template', type: 'string', desc: "Log group per record, a record accessor template such as /eks/$kubernetes['namespace_name']; falls back to log_group_name when a field is missing." },
  { key: 'log_stream_name', type: 'string', desc: 'Log stream to send to. Set this or log_stream_prefix.' },
  { key: 'log_stream_prefix', type: 'string', desc: "Log stream name is this prefix followed by the record's tag. Set this or log_stream_name." },
  { key: 'log_stream_template', type: 'string', desc: "Log stream per record, a record accessor template; falls back to log_stream_name / log_stream_prefix + tag when a field is missing." },
  { key: 'log_key', type: 'string', desc: "Send only this key's value as the message (text as is, other values as JSON) instead of the whole record as JSON; records without it are dropped (counted)." },
  { key: 'log_format', type: 'string', enum: ['json/emf'], desc: 'json/emf: tell CloudWatch the messages are Embedded Metric Format JSON (header x-amzn-logs-format).' },
  { key: 'auto_create_group', type: 'bool', default: 'off', desc: 'Create a missing log group (log streams are always created when missing).' },
  { key: 'log_retention_days', type: 'int', min: 0, desc: `Retention set on log groups this output creates (0 or unset: never expire). One of ${RETENTION_DAYS.join(', ')}.` },
  { key: 'log_group_class', type: 'string', enum: ['STANDARD', 'INFREQUENT_ACCESS'], desc: 'Storage class of log groups this output creates: STANDARD or INFREQUENT_ACCESS.' },
  { key: 'endpoint', type: 'string', desc: 'CloudWatch Logs endpoint: a host or a full URL (VPC endpoints, tests); default AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL, the profile\'s services/endpoint_url (as the AWS SDKs), else https://logs.<region>.<partition suffix>.' },
  ...CLOUDWATCH_EXTRA_OPTIONS,
  ...TLS_OPTIONS.filter((o) => o.key !== 'tls'),
  ...PROXY_OPTIONS,
  ...NET_OPTIONS,
  ...CLOUDWATCH_AWS_OPTIONS,
];

export interface CloudWatchConfig extends DestinationKeys {
  logGroupName: string;
  groupTemplate?: Template;
  logStreamName?: string;
  logStreamPrefix?: string;
  streamTemplate?: Template;
  logKey?: Path;
  logKeyText?: string;
  logFormat?: string;
  autoCreateGroup: boolean;
  retentionDays?: number;
  groupClass?: string;
  /** As written (resolved against the region once credentials settings are read). */
  endpoint?: string;
  extraUserAgent?: string;
  autoRetry: boolean;
  /** metric_namespace / metric_dimensions: records become EMF documents. */
  emf?: EmfOptions;
  /** Create missing log streams (the Go plugin's auto_create_stream; always on for cloudwatch_logs). */
  autoCreateStream: boolean;
  /** Tags of the log groups this output creates (the Go plugin's new_log_group_tags). */
  groupTags?: Record<string, string>;
}

export interface EmfOptions {
  namespace: string;
  dimensions: string[][];
}

/** `a,b;c` → [['a','b'],['c']]. */
export function parseDimensions(text: string | undefined): string[][] {
  if (!text) return [];
  return text.split(';').map((set) => set.split(',').map((k) => k.trim()).filter(Boolean)).filter((set) => set.length > 0);
}

/** The keys both cloudwatch names read the same way. */
export function extraConfig(o: PluginOptions): Pick<CloudWatchConfig, 'extraUserAgent' | 'autoRetry' | 'emf'> {
  const ns = o.optStr('metric_namespace')?.trim() || undefined;
  return {
    extraUserAgent: o.optStr('extra_user_agent')?.trim() || undefined,
    autoRetry: o.has('auto_retry_requests') ? o.bool('auto_retry_requests') : true,
    emf: ns === undefined ? undefined : { namespace: ns, dimensions: parseDimensions(o.optStr('metric_dimensions')) },
  };
}

export function cloudWatchConfig(id: string, o: PluginOptions): CloudWatchConfig {
  const label = `output '${id}'`;
  const group = o.str('log_group_name').trim();
  if (!GROUP_NAME_RE.test(group)) {
    throw new ConfigError(`${label}: log_group_name '${group}' is not a valid log group name`, o.pos('log_group_name'), {
      hint: 'use 1-512 letters, digits and . - _ / #',
    });
  }
  const streamName = o.optStr('log_stream_name')?.trim() || undefined;
  const prefix = o.optStr('log_stream_prefix') || undefined;
  if (streamName === undefined && prefix === undefined) {
    throw new ConfigError(`${label} needs 'log_stream_name' or 'log_stream_prefix'`, o.sectionPos, {
      hint: 'set log_stream_prefix (the tag is appended) or log_stream_name; a log_stream_template falls back to them',
    });
  }
  if (streamName !== undefined && prefix !== undefined) {
    throw new ConfigError(`${label}: log_stream_name and log_stream_prefix cannot both be set`, o.pos('log_stream_prefix'), { hint: 'keep one' });
  }
  if (streamName !== undefined && !STREAM_NAME_RE.test(streamName)) {
    throw new ConfigError(`${label}: log_stream_name '${streamName}' is not a valid log stream name`, o.pos('log_stream_name'), { hint: "use 1-512 characters, no ':' or '*'" });
  }
  const keyText = o.optStr('log_key')?.trim() || undefined;
  const logKey = keyText === undefined ? undefined : compileAccessor(keyText);
  if (keyText !== undefined && logKey === undefined) {
    throw new ConfigError(`${label}: log_key '${keyText}' is not a key or a record accessor`, o.pos('log_key'), { hint: "write it as log or $kubernetes['pod_name']" });
  }
  let retention = o.optNum('log_retention_days');
  if (retention === 0) retention = undefined;
  if (retention !== undefined && !RETENTION_DAYS.includes(retention)) {
    throw new ConfigError(`${label}: log_retention_days ${retention} is not a retention CloudWatch accepts`, o.pos('log_retention_days'), {
      hint: `use one of ${RETENTION_DAYS.join(', ')}`,
    });
  }
  return {
    logGroupName: group,
    groupTemplate: template(o, 'log_group_template', label),
    logStreamName: streamName,
    logStreamPrefix: prefix,
    streamTemplate: template(o, 'log_stream_template', label),
    logKey,
    logKeyText: keyText,
    logFormat: o.optStr('log_format')?.toLowerCase(),
    autoCreateGroup: o.bool('auto_create_group'),
    retentionDays: retention,
    groupClass: o.optStr('log_group_class')?.toUpperCase(),
    endpoint: o.optStr('endpoint')?.trim() || undefined,
    ...destinationFromOptions(o),
    ...extraConfig(o),
    autoCreateStream: true,
  };
}

function template(o: PluginOptions, key: string, label: string): Template | undefined {
  const text = o.optStr(key)?.trim();
  if (!text) return undefined;
  if (!text.includes('$')) {
    throw new ConfigError(`${label}: ${key} '${text}' has no record accessor ($field or $TAG)`, o.pos(key), {
      hint: key === 'log_group_template' ? 'use log_group_name for a fixed name' : 'use log_stream_name for a fixed name',
    });
  }
  return compileTemplate(text);
}

/**
 * The endpoint URL: `endpoint` (a full URL, or a host[:port] meaning https), else what the
 * environment or the shared config file configures for `cloudwatch_logs` (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
 * AWS_ENDPOINT_URL, the profile's services section or endpoint_url: see configuredEndpoint), else
 * https://logs.<region>.<suffix>.
 */
export function endpointUrl(cfg: CloudWatchConfig, region: string, env: NodeJS.ProcessEnv, o: PluginOptions, id: string): URL {
  const c = configuredEndpoint('cloudwatch_logs', { env, profile: o.optStr('profile') || undefined, explicit: { value: cfg.endpoint, key: 'endpoint' } });
  const [text, source] = c ? [c.value, c.source] : [defaultLogsEndpoint(region, env), 'the default'];
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch (cause) {
    throw new ConfigError(`output '${id}': ${source} '${text}' is not a URL or host name`, o.pos('endpoint'), { hint: 'write it as https://host[:port] or host', cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`output '${id}': ${source} '${text}' must be http:// or https://`, o.pos('endpoint'));
  }
  if (url.search || url.hash) {
    throw new ConfigError(`output '${id}': ${source} '${text}' must not have a query or fragment`, o.pos('endpoint'));
  }
  return url;
}

/** logs.<region>.<suffix>, in its FIPS / dual-stack form when AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT say so. */
function defaultLogsEndpoint(region: string, env: NodeJS.ProcessEnv): string {
  return resolveServiceEndpoint({ serviceId: 'cloudwatch_logs', hostPrefix: 'logs', region, env: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', ...pick(env) }, label: 'cloudwatch_logs' }).url.origin;
}

function pick(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { AWS_USE_FIPS_ENDPOINT: env.AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT: env.AWS_USE_DUALSTACK_ENDPOINT };
}
