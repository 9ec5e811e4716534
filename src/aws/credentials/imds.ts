import type { Dispatcher } from 'undici';
import { parseBool } from '../../config/values.js';
import type { Logger } from '../../log.js';
import { checkCredentials, NotConfigured, type AwsCredentials, type CredentialProvider, type Described } from '../types.js';
import { detectEc2, type Ec2Verdict } from './ec2-detect.js';
import { ImdsClient } from './imds-client.js';

export type ImdsSwitch = 'on' | 'off' | 'auto';

export const IMDS_V4 = 'http://169.254.169.254';
export const IMDS_V6 = 'http://[fd00:ec2::254]';

export interface ImdsProviderOptions {
  mode: ImdsSwitch;
  env: NodeJS.ProcessEnv;
  /** `aws_imds_endpoint`; else AWS_EC2_METADATA_SERVICE_ENDPOINT, else by _MODE. */
  endpoint?: string;
  sysfsRoot: string;
  timeoutMs: number;
  /** `aws_imds_v1_fallback`; AWS_EC2_METADATA_V1_DISABLED=true turns it off too. */
  v1Fallback: boolean;
  dispatcher: Dispatcher;
  log: Logger;
}

/** The IMDS base URL: option, else AWS_EC2_METADATA_SERVICE_ENDPOINT, else IPv4 or (with _MODE=IPv6) IPv6. */
export function imdsEndpoint(option: string | undefined, env: NodeJS.ProcessEnv): string {
  const explicit = option || env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  if (explicit) return explicit.replace(/\/+$/, '');
  return env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE?.toLowerCase() === 'ipv6' ? IMDS_V6 : IMDS_V4;
}

/** True when AWS_EC2_METADATA_DISABLED says IMDS must not be contacted. */
export function imdsDisabledByEnv(env: NodeJS.ProcessEnv): boolean {
  return parseBool(env.AWS_EC2_METADATA_DISABLED ?? '') === true;
}

/**
 * EC2 instance profile credentials. Built lazily by the chain; its client (and so what it learnt
 * about the hop limit) lives as long as the provider, i.e. across refreshes.
 */
export function fromImds(o: ImdsProviderOptions): CredentialProvider & Described {
  let client: ImdsClient | undefined;
  let verdict: Promise<Ec2Verdict> | undefined;
  let role = '';
  const endpoint = imdsEndpoint(o.endpoint, o.env);
  const provider = async (): Promise<AwsCredentials> => {
    if (o.mode === 'off') throw new NotConfigured('aws_imds is off');
    if (imdsDisabledByEnv(o.env)) throw new NotConfigured('AWS_EC2_METADATA_DISABLED is set');
    if (o.mode === 'auto') {
      verdict ??= detectEc2(o.sysfsRoot);
      const v = await verdict;
      if (v.verdict === 'not-ec2') throw new NotConfigured(`not an EC2 host (${v.evidence}); set aws_imds: on to try IMDS anyway`);
    }
    client ??= new ImdsClient({
      endpoint,
      dispatcher: o.dispatcher,
      timeoutMs: o.timeoutMs,
      v1Fallback: o.v1Fallback && parseBool(o.env.AWS_EC2_METADATA_V1_DISABLED ?? '') !== true,
      log: o.log,
    });
    const c = await client.credentials();
    role = c.role;
    return checkCredentials(c, `IMDS role ${c.role}`);
  };
  return Object.assign(provider, { describe: () => `EC2 instance profile ${role} from ${endpoint} (${client?.how ?? 'IMDS'})` });
}
