import type { StsClient } from '../sts.js';
import { defaultSessionName } from '../sts.js';
import { CredentialsError, NotConfigured, type AwsCredentials, type CredentialProvider, type Described } from '../types.js';
import { fromEnv } from './env.js';
import { fromProcess } from './process.js';
import { loadSharedFiles, profileName, warningLine, type Profile, type SharedFiles } from './shared-files.js';
import { fromWebIdentityParams } from './web-identity.js';

/** What a profile may lean on: STS for role_arn, and the providers credential_source names. */
export interface ProfileKit {
  env: NodeJS.ProcessEnv;
  /** STS for a region (a profile's own `region`, or the output's when undefined). */
  sts(region?: string): StsClient;
  /** credential_source = Ec2InstanceMetadata. */
  imds(): CredentialProvider;
  /** credential_source = EcsContainer. */
  container(): CredentialProvider;
}

function staticKeys(p: Profile): AwsCredentials | undefined {
  const v = p.values;
  if (!v.aws_access_key_id && !v.aws_secret_access_key) return undefined;
  if (!v.aws_access_key_id || !v.aws_secret_access_key) {
    throw new CredentialsError(`profile "${p.name}" in ${p.files.join(', ')} has ${v.aws_access_key_id ? 'aws_access_key_id without aws_secret_access_key' : 'aws_secret_access_key without aws_access_key_id'}`);
  }
  return { accessKeyId: v.aws_access_key_id, secretAccessKey: v.aws_secret_access_key, sessionToken: v.aws_session_token || undefined };
}

function durationOf(p: Profile): number | undefined {
  const d = p.values.duration_seconds;
  return d && /^\d+$/.test(d) ? Number(d) : undefined;
}

class ProfileResolver {
  readonly trail: string[] = [];

  constructor(private readonly files: SharedFiles, private readonly kit: ProfileKit) {}

  private sourceProvider(p: Profile): CredentialProvider {
    const src = p.values.credential_source;
    switch (src?.toLowerCase()) {
      case 'environment': return fromEnv(this.kit.env);
      case 'ec2instancemetadata': return this.kit.imds();
      case 'ecscontainer': return this.kit.container();
      default:
        throw new CredentialsError(`profile "${p.name}" has credential_source = ${src}`, {
          hint: 'use Environment, Ec2InstanceMetadata or EcsContainer',
        });
    }
  }

  private async assume(p: Profile, visited: string[]): Promise<AwsCredentials> {
    const v = p.values;
    if (v.mfa_serial) {
      throw new CredentialsError(`profile "${p.name}" needs an MFA code (mfa_serial), which a forwarder cannot type`, {
        hint: 'use a role without MFA, or credential_process',
      });
    }
    let source: AwsCredentials;
    if (v.source_profile) {
      if (v.source_profile === p.name) {
        const own = staticKeys(p);
        if (!own) throw new CredentialsError(`profile "${p.name}" is its own source_profile but has no keys`);
        source = own;
        this.trail.push(`profile "${p.name}" keys`);
      } else {
        if (visited.includes(v.source_profile)) {
          throw new CredentialsError(`source_profile loop: ${[...visited, p.name, v.source_profile].join(' → ')}`);
        }
        source = await this.resolve(v.source_profile, [...visited, p.name]);
      }
    } else {
      source = await this.sourceProvider(p)();
      this.trail.push(`credential_source ${v.credential_source}`);
    }
    const creds = await this.kit.sts(v.region).assumeRole(source, {
      roleArn: v.role_arn!,
      sessionName: v.role_session_name || defaultSessionName(),
      externalId: v.external_id,
      durationSeconds: durationOf(p),
    });
    this.trail.push(`role ${v.role_arn}`);
    return creds;
  }

  async resolve(name: string, visited: string[]): Promise<AwsCredentials> {
    const p = this.files.profiles.get(name);
    if (!p) {
      const where = this.files.read.length ? this.files.read.join(', ') : `${this.files.configFile} and ${this.files.credentialsFile} (absent)`;
      throw new CredentialsError(`profile "${name}" (source_profile of "${visited.at(-1)}") is not in ${where}`);
    }
    const v = p.values;
    // A source profile's static keys end the chain there, even when it has a role_arn too (as
    // the SDKs do); the profile asked for assumes its role_arn first.
    const keys = visited.length > 0 ? staticKeys(p) : undefined;
    if (keys) {
      this.trail.push(`profile "${name}" in ${p.files.join(', ')} (static keys)`);
      return keys;
    }
    if (v.source_profile && v.credential_source) {
      throw new CredentialsError(`profile "${name}" in ${p.files.join(', ')} has both source_profile and credential_source`, {
        hint: 'keep one: source_profile names the profile whose credentials assume the role, credential_source names a provider',
      });
    }
    if (v.role_arn && (v.source_profile || v.credential_source) && !v.web_identity_token_file) return this.assume(p, visited);
    const own = staticKeys(p);
    if (own) {
      this.trail.push(`profile "${name}" in ${p.files.join(', ')} (static keys)`);
      return own;
    }
    if (v.web_identity_token_file && v.role_arn) {
      const creds = await fromWebIdentityParams({
        tokenFile: v.web_identity_token_file, roleArn: v.role_arn, sessionName: v.role_session_name, durationSeconds: durationOf(p),
      }, () => this.kit.sts(v.region))();
      this.trail.push(`profile "${name}" web identity ${v.role_arn}`);
      return creds;
    }
    if (v.credential_process) {
      const creds = await fromProcess(v.credential_process, this.kit.env, name)();
      this.trail.push(`profile "${name}" credential_process`);
      return creds;
    }
    if (v.sso_session || v.sso_start_url) {
      throw new CredentialsError(`profile "${name}" uses AWS SSO, which Wren does not sign in to`, {
        hint: 'set credential_process = aws configure export-credentials --profile NAME --format process',
      });
    }
    if (v.role_arn) throw new CredentialsError(`profile "${name}" has role_arn but neither source_profile nor credential_source`);
    const msg = `profile "${name}" in ${p.files.join(', ')} has no credentials (keys, role_arn, web_identity_token_file or credential_process)`;
    throw visited.length ? new CredentialsError(msg) : new NotConfigured(msg);
  }
}

/** The shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`): keys from either. */
export function fromIni(option: string | undefined, kit: ProfileKit): CredentialProvider & Described {
  let described = '';
  let warnings: string[] = [];
  const provider = async (): Promise<AwsCredentials> => {
    const { name, explicit } = profileName(option, kit.env);
    warnings = [];
    const files = await loadSharedFiles(kit.env);
    warnings = files.warnings.map(warningLine);
    if (!files.profiles.has(name)) {
      const where = files.read.length ? files.read.join(', ') : `${files.configFile} or ${files.credentialsFile} (neither exists)`;
      const msg = `profile "${name}" is not in ${where}`;
      throw explicit ? new CredentialsError(msg, { hint: 'check aws_profile / AWS_PROFILE' }) : new NotConfigured(msg);
    }
    const r = new ProfileResolver(files, kit);
    const creds = await r.resolve(name, []);
    described = r.trail.join(' → ');
    return creds;
  };
  return Object.assign(provider, { describe: () => described, warnings: () => warnings });
}
