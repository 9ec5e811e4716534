import { CredentialsError, NotConfigured, type AwsCredentials, type CredentialProvider, type Described } from '../types.js';

/** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY [/ AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION]. */
export function fromEnv(env: NodeJS.ProcessEnv): CredentialProvider & Described {
  const provider = async (): Promise<AwsCredentials> => {
    const id = env.AWS_ACCESS_KEY_ID;
    const secret = env.AWS_SECRET_ACCESS_KEY;
    if (!id && !secret) throw new NotConfigured('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
    if (!id || !secret) {
      throw new CredentialsError(`${id ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'} is set but ${id ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is not`, {
        hint: 'set both, or neither',
      });
    }
    const exp = env.AWS_CREDENTIAL_EXPIRATION ? new Date(env.AWS_CREDENTIAL_EXPIRATION) : undefined;
    return {
      accessKeyId: id,
      secretAccessKey: secret,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
      expiration: exp && !Number.isNaN(exp.getTime()) ? exp : undefined,
    };
  };
  return Object.assign(provider, {
    describe: () => `environment (AWS_ACCESS_KEY_ID${env.AWS_SESSION_TOKEN ? ', AWS_SESSION_TOKEN' : ''})`,
  });
}
