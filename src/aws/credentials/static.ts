import { CredentialsError, NotConfigured, type AwsCredentials, type CredentialProvider, type Described } from '../types.js';

export interface StaticKeys {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** Keys written in the output's configuration (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`). */
export function fromStatic(keys: StaticKeys): CredentialProvider & Described {
  const provider = async (): Promise<AwsCredentials> => {
    if (!keys.accessKeyId && !keys.secretAccessKey) throw new NotConfigured('no aws_access_key_id / aws_secret_access_key in the configuration');
    if (!keys.accessKeyId || !keys.secretAccessKey) {
      throw new CredentialsError(`${keys.accessKeyId ? 'aws_secret_access_key' : 'aws_access_key_id'} is missing from the configuration`, {
        hint: 'set both keys, or neither to use the credential chain',
      });
    }
    return { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken || undefined };
  };
  return Object.assign(provider, { describe: () => 'keys in the configuration' });
}
