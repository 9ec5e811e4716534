import type { PluginOptions } from '../config/types.js';
import { parseBool, parseList } from '../config/values.js';
import { ConfigError } from '../errors.js';
import { profileName, profileRegionSync } from './credentials/shared-files.js';
import type { ImdsSwitch } from './credentials/imds.js';
import { isRegionName } from './endpoints.js';
import { DEFAULT_CHAIN, STYLE_KEYS, type AwsKeyStyle } from './options.js';
import { PROVIDER_NAMES, type ProviderName } from './types.js';

/** Everything the credential side reads from an output's options, typed and defaulted. */
export interface AwsSettings {
  region: string;
  /** Where the region came from, for messages. */
  regionSource: string;
  profile?: string;
  roleArn?: string;
  externalId?: string;
  roleSessionName?: string;
  roleDurationS: number;
  stsEndpoint?: string;
  /** The name of that key in this output's style, for messages. */
  stsEndpointKey: string;
  chain: ProviderName[];
  staticKeys: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string };
  imds: ImdsSwitch;
  imdsTimeoutMs: number;
  imdsV1Fallback: boolean;
  imdsEndpoint?: string;
  metadataProxy?: string;
  refreshWindowMs: number;
  sysfsRoot: string;
  /** The output's destination `proxy` (STS goes the destination way). */
  proxy?: string;
}

function chainOf(o: PluginOptions): ProviderName[] {
  const raw = o.has('aws_credential_chain') ? o.list('aws_credential_chain') : parseList(DEFAULT_CHAIN);
  const out: ProviderName[] = [];
  for (const name of raw.map((n) => n.toLowerCase().replace(/-/g, '_'))) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(`aws_credential_chain: unknown provider '${name}'`, o.pos('aws_credential_chain'), {
        hint: `use some of ${PROVIDER_NAMES.join(', ')}`,
      });
    }
    if (!out.includes(name as ProviderName)) out.push(name as ProviderName);
  }
  return out;
}

function imdsSwitch(o: PluginOptions): ImdsSwitch {
  const v = (o.optStr('aws_imds') ?? 'auto').toLowerCase();
  if (v === 'auto') return 'auto';
  const b = parseBool(v);
  if (b === undefined) throw new ConfigError(`aws_imds must be on, off or auto, not '${v}'`, o.pos('aws_imds'));
  return b ? 'on' : 'off';
}

function boolOr(o: PluginOptions, key: string, dflt: boolean): boolean {
  return o.has(key) ? o.bool(key) : dflt;
}

/** Read and check an output's AWS settings; the region must be known. */
export function readAwsSettings(o: PluginOptions, style: AwsKeyStyle, env: NodeJS.ProcessEnv): AwsSettings {
  const k = STYLE_KEYS[style];
  const profile = o.optStr(k.profile) || undefined;
  let region = o.optStr(k.region)?.trim();
  let regionSource = k.region;
  if (!region && env.AWS_REGION) { region = env.AWS_REGION; regionSource = 'AWS_REGION'; }
  if (!region && env.AWS_DEFAULT_REGION) { region = env.AWS_DEFAULT_REGION; regionSource = 'AWS_DEFAULT_REGION'; }
  if (!region) {
    const name = profileName(profile, env).name;
    region = profileRegionSync(env, name);
    regionSource = `profile "${name}"`;
  }
  if (!region) {
    throw new ConfigError(`no AWS region: '${k.region}' is not set`, o.sectionPos, {
      hint: `set ${k.region} (e.g. us-east-1), or AWS_REGION`,
    });
  }
  if (!isRegionName(region)) {
    throw new ConfigError(`'${region}' (from ${regionSource}) is not an AWS region name`, o.pos(k.region), { hint: 'write it like us-east-1' });
  }
  return {
    region,
    regionSource,
    profile,
    roleArn: o.optStr(k.roleArn) || undefined,
    externalId: o.optStr(k.externalId) || undefined,
    roleSessionName: o.optStr('aws_role_session_name') || undefined,
    roleDurationS: Math.round((o.optNum('aws_role_duration') ?? 3_600_000) / 1000),
    stsEndpoint: o.optStr(k.stsEndpoint) || undefined,
    stsEndpointKey: k.stsEndpoint,
    chain: chainOf(o),
    staticKeys: {
      accessKeyId: o.optStr('aws_access_key_id') || undefined,
      secretAccessKey: o.optStr('aws_secret_access_key') || undefined,
      sessionToken: o.optStr('aws_session_token') || undefined,
    },
    imds: imdsSwitch(o),
    imdsTimeoutMs: o.optNum('aws_imds_timeout') ?? 1000,
    imdsV1Fallback: boolOr(o, 'aws_imds_v1_fallback', true),
    imdsEndpoint: o.optStr('aws_imds_endpoint') || undefined,
    metadataProxy: o.optStr('aws_metadata_proxy') || undefined,
    refreshWindowMs: o.optNum('aws_refresh_window') ?? 300_000,
    sysfsRoot: o.optStr('aws_sysfs_root') || '/sys',
    proxy: o.optStr('proxy') || undefined,
  };
}
