import { readFile } from 'node:fs/promises';
import { errorLine } from '../../errors.js';
import { addSecret } from '../../redact.js';
import type { StsClient } from '../sts.js';
import { defaultSessionName } from '../sts.js';
import { CredentialsError, NotConfigured, type AwsCredentials, type CredentialProvider, type Described } from '../types.js';

export interface WebIdentityParams {
  tokenFile: string;
  roleArn: string;
  sessionName?: string;
  durationSeconds?: number;
}

/** AssumeRoleWithWebIdentity with a token file read afresh on every call (it rotates). */
export function fromWebIdentityParams(p: WebIdentityParams, sts: () => StsClient): CredentialProvider & Described {
  const provider = async (): Promise<AwsCredentials> => {
    let token: string;
    try {
      token = (await readFile(p.tokenFile, 'utf8')).trim();
    } catch (cause) {
      throw new CredentialsError(`cannot read the web identity token file ${p.tokenFile}: ${errorLine(cause)}`, { cause });
    }
    if (!token) throw new CredentialsError(`the web identity token file ${p.tokenFile} is empty`);
    addSecret(token);
    return sts().assumeRoleWithWebIdentity({
      roleArn: p.roleArn, sessionName: p.sessionName || defaultSessionName(), token, durationSeconds: p.durationSeconds,
    });
  };
  return Object.assign(provider, { describe: () => `web identity ${p.roleArn} (token ${p.tokenFile}) via ${sts().endpoint}` });
}

/** IRSA: AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME. */
export function fromWebIdentity(env: NodeJS.ProcessEnv, sts: () => StsClient): CredentialProvider & Described {
  const tokenFile = env.AWS_WEB_IDENTITY_TOKEN_FILE;
  const roleArn = env.AWS_ROLE_ARN;
  if (!tokenFile || !roleArn) {
    const missing = !tokenFile && !roleArn ? 'AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set' : `${tokenFile ? 'AWS_ROLE_ARN' : 'AWS_WEB_IDENTITY_TOKEN_FILE'} is not set`;
    const half = Boolean(tokenFile) !== Boolean(roleArn);
    const provider = async (): Promise<AwsCredentials> => {
      throw half ? new CredentialsError(missing, { hint: 'IRSA sets both; set both or neither' }) : new NotConfigured(missing);
    };
    return provider;
  }
  return fromWebIdentityParams({ tokenFile, roleArn, sessionName: env.AWS_ROLE_SESSION_NAME }, sts);
}
