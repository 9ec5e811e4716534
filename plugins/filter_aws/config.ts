import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { AWS_SHARED_OPTIONS } from '../../src/aws/options.js';
import { ConfigError } from '../../src/errors.js';

/** The IMDS keys the filter shares with the credential chain (same names, same meaning). */
const IMDS_KEYS = ['aws_imds', 'aws_imds_timeout', 'aws_imds_v1_fallback', 'aws_imds_endpoint', 'aws_metadata_proxy', 'aws_sysfs_root'];

/** Metadata fields, in the order Fluent Bit appends them, with their defaults and IMDS paths. */
export const FIELDS = [
  { key: 'az', on: true, desc: 'the availability zone (us-east-1a)' },
  { key: 'ec2_instance_id', on: true, desc: 'the instance ID' },
  { key: 'ec2_instance_type', on: false, desc: 'the instance type' },
  { key: 'private_ip', on: false, desc: 'the private IPv4 address' },
  { key: 'vpc_id', on: false, desc: 'the VPC ID (of the primary network interface)' },
  { key: 'ami_id', on: false, desc: 'the AMI ID' },
  { key: 'account_id', on: false, desc: 'the AWS account ID (from the instance identity document)' },
  { key: 'hostname', on: false, desc: 'the private DNS hostname' },
] as const;

export type Field = (typeof FIELDS)[number]['key'];

export const AWS_FILTER_OPTIONS: readonly OptionSpec[] = [
  { key: 'imds_version', type: 'string', default: 'v2', enum: ['v1', 'v2'], desc: 'v2: IMDSv2 tokens, falling back to IMDSv1 when the token PUT is dropped (hop limit) unless aws_imds_v1_fallback is off; v1: never ask for a token.' },
  ...FIELDS.map((f): OptionSpec => ({ key: f.key, type: 'bool', default: f.on ? 'true' : 'false', desc: `Add ${f.desc} as '${f.key}'.` })),
  { key: 'tags_enabled', type: 'bool', default: 'false', desc: 'Add the instance tags, one field each (needs instance-metadata-tags enabled on the instance).' },
  { key: 'tags_include', type: 'list', desc: 'With tags_enabled: add only these tag keys (comma-separated).' },
  { key: 'tags_exclude', type: 'list', desc: 'With tags_enabled: add every tag but these (comma-separated); not with tags_include.' },
  { key: 'enable_entity', type: 'bool', default: 'false', desc: 'Also add aws_entity_ec2_instance_id and aws_entity_account_id (for CloudWatch entity data).' },
  { key: 'retry_interval_s', type: 'time', default: '300', min: 50, desc: 'Longest wait between retries of metadata not fetched yet (retries start after 1s and double up to this).' },
  { key: 'refresh_interval', type: 'time', default: '1h', min: 0, desc: 'Fetch the metadata again this often, in the background (tags change); 0: fetch once.' },
  ...AWS_SHARED_OPTIONS.filter((o) => IMDS_KEYS.includes(o.key)),
];

export interface AwsFilterConfig {
  fields: Field[];
  tags: boolean;
  tagsInclude?: Set<string>;
  tagsExclude?: Set<string>;
  entity: boolean;
  imdsVersion: 'v1' | 'v2';
  retryMaxMs: number;
  refreshMs: number;
}

export function readAwsFilterConfig(id: string, o: PluginOptions): AwsFilterConfig {
  if (o.has('tags_include') && o.has('tags_exclude')) {
    throw new ConfigError(`filter '${id}': tags_include and tags_exclude cannot be used together`, o.pos('tags_exclude'), { hint: 'keep one of them' });
  }
  return {
    fields: FIELDS.filter((f) => o.bool(f.key)).map((f) => f.key),
    tags: o.bool('tags_enabled'),
    tagsInclude: o.has('tags_include') ? new Set(o.list('tags_include')) : undefined,
    tagsExclude: o.has('tags_exclude') ? new Set(o.list('tags_exclude')) : undefined,
    entity: o.bool('enable_entity'),
    imdsVersion: o.str('imds_version') === 'v1' ? 'v1' : 'v2',
    retryMaxMs: o.num('retry_interval_s'),
    refreshMs: o.num('refresh_interval'),
  };
}
