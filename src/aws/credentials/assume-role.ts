import type { AssumeRoleParams, StsClient } from '../sts.js';
import type { AwsCredentials, CredentialProvider, Described } from '../types.js';

/** `aws_role_arn` on top of whatever the chain found: STS AssumeRole signed with those credentials. */
export function fromAssumeRole(source: CredentialProvider, sts: () => StsClient, p: AssumeRoleParams): CredentialProvider & Described {
  const provider = async (): Promise<AwsCredentials> => sts().assumeRole(await source(), p);
  return Object.assign(provider, {
    describe: () => `role ${p.roleArn}${p.externalId ? ' (with external id)' : ''} via ${sts().endpoint}`,
  });
}
