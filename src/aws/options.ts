import type { OptionSpec } from '../config/types.js';

/**
 * AWS option specs an output spreads into its schema. Two key styles:
 * - 'aws' (http, opensearch): `aws_auth`, `aws_region`, `aws_profile`, `aws_role_arn`, …
 * - 'cloudwatch' (cloudwatch_logs): Fluent Bit's plain `region`, `profile`, `role_arn`, …
 * Both get the shared `aws_*` keys. The service name key stays with the output (`aws_service` on
 * http, `aws_service_name` on opensearch); the output passes the service to createAwsAuth.
 */
export type AwsKeyStyle = 'aws' | 'cloudwatch';

/** The per-style names of the keys that differ. */
export interface StyleKeys {
  region: string;
  profile: string;
  roleArn: string;
  externalId: string;
  stsEndpoint: string;
}

export const STYLE_KEYS: Record<AwsKeyStyle, StyleKeys> = {
  aws: { region: 'aws_region', profile: 'aws_profile', roleArn: 'aws_role_arn', externalId: 'aws_external_id', stsEndpoint: 'aws_sts_endpoint' },
  cloudwatch: { region: 'region', profile: 'profile', roleArn: 'role_arn', externalId: 'external_id', stsEndpoint: 'sts_endpoint' },
};

export const DEFAULT_CHAIN = 'env, profile, web_identity, container, imds';

function styled(k: StyleKeys): OptionSpec[] {
  return [
    { key: k.region, type: 'string', desc: 'AWS region (e.g. us-east-1); default AWS_REGION, AWS_DEFAULT_REGION, then the profile\'s region.' },
    { key: k.profile, type: 'string', desc: 'Shared config/credentials profile; default AWS_PROFILE, AWS_DEFAULT_PROFILE, then "default".' },
    { key: k.roleArn, type: 'string', desc: 'IAM role to assume (STS AssumeRole) with the credentials the chain found.' },
    { key: k.externalId, type: 'string', desc: 'External ID for the AssumeRole call.' },
    { key: k.stsEndpoint, type: 'string', desc: 'STS endpoint URL; default AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile\'s services/endpoint_url (as the AWS SDKs), else https://sts.<region>.<partition suffix>.' },
  ];
}

/** Keys both styles share. */
export const AWS_SHARED_OPTIONS: readonly OptionSpec[] = [
  { key: 'aws_access_key_id', type: 'string', desc: 'Static access key id (prefer the credential chain); tried before the chain when set.' },
  { key: 'aws_secret_access_key', type: 'string', secret: true, desc: 'Static secret access key, with aws_access_key_id.' },
  { key: 'aws_session_token', type: 'string', secret: true, desc: 'Session token for temporary static keys.' },
  { key: 'aws_credential_chain', type: 'list', default: DEFAULT_CHAIN, desc: 'Credential providers to try, in order: static, env, profile, web_identity, container, imds.' },
  { key: 'aws_role_session_name', type: 'string', desc: 'Session name for AssumeRole / AssumeRoleWithWebIdentity (default wren-<epoch ms>).' },
  { key: 'aws_role_duration', type: 'time', default: '1h', min: 900_000, max: 43_200_000, desc: 'Lifetime of assumed-role credentials (15m to 12h).' },
  { key: 'aws_imds', type: 'string', default: 'auto', enum: ['auto', 'on', 'off', 'true', 'false'], desc: 'EC2 instance metadata: on, off, or auto (skip at once when the host is not EC2).' },
  { key: 'aws_imds_timeout', type: 'time', default: '1s', min: 10, desc: 'Deadline for each IMDS or container credentials request.' },
  { key: 'aws_imds_v1_fallback', type: 'bool', default: 'on', desc: 'Fall back to IMDSv1 when the IMDSv2 token is unavailable (hop limit); AWS_EC2_METADATA_V1_DISABLED=true turns it off.' },
  { key: 'aws_imds_endpoint', type: 'string', desc: 'IMDS base URL; default AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254 (IPv6 with _MODE=IPv6).' },
  { key: 'aws_metadata_proxy', type: 'string', desc: 'Proxy for IMDS and container credential requests; never the HTTP(S)_PROXY of the environment.' },
  { key: 'aws_refresh_window', type: 'time', default: '5m', min: 0, desc: 'Refresh credentials this long before they expire, in the background.' },
  { key: 'aws_sysfs_root', type: 'string', default: '/sys', desc: 'Where aws_imds: auto reads DMI data to tell whether the host is EC2.' },
];

/** Every AWS key an output with this style declares. */
export function awsOptions(style: AwsKeyStyle): readonly OptionSpec[] {
  return [...styled(STYLE_KEYS[style]), ...AWS_SHARED_OPTIONS];
}

/** The 'aws' style also has the on/off switch (cloudwatch_logs always signs). */
export const AWS_AUTH_OPTION: OptionSpec = { key: 'aws_auth', type: 'bool', default: 'off', desc: 'Sign requests with AWS SigV4.' };

/** Options for http / opensearch outputs: `aws_auth` plus the 'aws' style keys. */
export const AWS_OPTIONS: readonly OptionSpec[] = [AWS_AUTH_OPTION, ...awsOptions('aws')];

/** Options for cloudwatch_logs: Fluent Bit's plain names plus the shared keys. */
export const CLOUDWATCH_AWS_OPTIONS: readonly OptionSpec[] = awsOptions('cloudwatch');
