import type { SourcePos } from '../errors.js';
import { ConfigError } from '../errors.js';
import { configuredEndpoint } from './configured-endpoint.js';
import { dnsSuffix } from './endpoints.js';

/**
 * The endpoint of an AWS service for an output: its own `endpoint` key, else what the environment
 * or shared config file configures (configuredEndpoint: AWS_ENDPOINT_URL_FIREHOSE, profile
 * `services` sections…), else the regional default, in its FIPS and/or dual-stack form when
 * `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT` say so, as the AWS SDKs build them:
 *
 *   firehose.us-east-1.amazonaws.com · firehose-fips.us-east-1.amazonaws.com ·
 *   firehose.us-east-1.api.aws · firehose-fips.us-east-1.api.aws
 *   s3.us-east-1.amazonaws.com · s3-fips.… · s3.dualstack.us-east-1.amazonaws.com · s3-fips.dualstack.…
 */
export interface ServiceEndpointQuery {
  /** The SDK's service id: firehose, kinesis, s3, cloudwatch_logs. */
  serviceId: string;
  /** First label of the default host: firehose, kinesis, s3, logs. */
  hostPrefix: string;
  region: string;
  env: NodeJS.ProcessEnv;
  profile?: string;
  /** The output's `endpoint` value. */
  explicit?: string;
  /** For messages: the output and where its endpoint key was written. */
  label: string;
  pos?: SourcePos;
}

export interface ServiceEndpoint {
  url: URL;
  /** Where it came from (`endpoint`, `AWS_ENDPOINT_URL_KINESIS`, `the default`). */
  source: string;
  /** True when configured (not the regional default): S3 then uses path-style requests. */
  custom: boolean;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const v = env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return false;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(`${name} is '${env[name]}'; it must be true or false`);
}

/** The dual-stack DNS suffix of a region's partition. */
export function dualStackSuffix(region: string): string {
  if (region.startsWith('cn-')) return 'api.amazonwebservices.com.cn';
  return 'api.aws';
}

/** The default host of a service in a region, honouring FIPS / dual-stack. */
export function defaultServiceHost(prefix: string, region: string, fips: boolean, dualStack: boolean): string {
  if (prefix === 's3') {
    // S3 keeps its own dual-stack form under the partition's usual suffix
    return `s3${fips ? '-fips' : ''}${dualStack ? '.dualstack' : ''}.${region}.${dnsSuffix(region)}`;
  }
  return `${prefix}${fips ? '-fips' : ''}.${region}.${dualStack ? dualStackSuffix(region) : dnsSuffix(region)}`;
}

/** `https://host[:port]` or `host[:port]` (https) as a URL, checked; errors name the source and the fix. */
export function parseEndpoint(text: string, source: string, label: string, pos?: SourcePos): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch (cause) {
    throw new ConfigError(`${label}: ${source} '${text}' is not a URL or host name`, pos, { hint: 'write it as https://host[:port] or host', cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${label}: ${source} '${text}' must be http:// or https://`, pos);
  }
  if (url.search || url.hash) throw new ConfigError(`${label}: ${source} '${text}' must not have a query or fragment`, pos);
  return url;
}

export function resolveServiceEndpoint(q: ServiceEndpointQuery): ServiceEndpoint {
  const c = configuredEndpoint(q.serviceId, { env: q.env, profile: q.profile, explicit: { value: q.explicit, key: 'endpoint' } });
  if (c) return { url: parseEndpoint(c.value, c.source, q.label, q.pos), source: c.source, custom: true };
  const fips = flag(q.env, 'AWS_USE_FIPS_ENDPOINT');
  const dual = flag(q.env, 'AWS_USE_DUALSTACK_ENDPOINT');
  const host = defaultServiceHost(q.hostPrefix, q.region, fips, dual);
  return { url: new URL(`https://${host}`), source: 'the default', custom: false };
}
