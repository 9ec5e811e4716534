import { ConfigError } from '../errors.js';
import { configuredEndpoint } from './configured-endpoint.js';

/** DNS suffix of a region's partition: aws, aws-cn, aws-us-gov, and the isolated ones. */
export function dnsSuffix(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-isof-')) return 'csp.hci.ic.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  if (region.startsWith('eu-isoe-')) return 'cloud.adc-e.uk';
  return 'amazonaws.com'; // aws and aws-us-gov
}

/** `https://<service>.<region>.<suffix>`, e.g. logs.cn-north-1.amazonaws.com.cn. */
export function serviceEndpoint(service: string, region: string): string {
  return `https://${service}.${region}.${dnsSuffix(region)}`;
}

function checkUrl(text: string, source: string): string {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`);
  } catch (cause) {
    throw new ConfigError(`${source} '${text}' is not a URL`, undefined, { hint: 'write it as https://host[:port]', cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${source} '${text}' must be http:// or https://`);
  }
  return url.href.replace(/\/$/, '');
}

/**
 * The STS endpoint: the output's `sts_endpoint` / `aws_sts_endpoint`, else what the environment
 * or the shared config file configures for `sts` (see configuredEndpoint), else the regional
 * endpoint with the partition's suffix.
 */
export function stsEndpoint(region: string, override: string | undefined, env: NodeJS.ProcessEnv, profile?: string, key = 'sts_endpoint'): string {
  const c = configuredEndpoint('sts', { env, profile, explicit: { value: override, key } });
  return c ? checkUrl(c.value, c.source) : serviceEndpoint('sts', region);
}

/** Region names look like `us-east-1`, `cn-north-1`, `us-gov-west-1`, `us-isob-east-1`. */
export function isRegionName(region: string): boolean {
  return /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region);
}
