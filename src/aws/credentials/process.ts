import { execFile } from 'node:child_process';
import { CredentialsError, checkCredentials, type AwsCredentials, type CredentialProvider, type Described } from '../types.js';

/** How long a credential_process may run. */
export const PROCESS_TIMEOUT_MS = 30_000;

interface ProcessOutput {
  Version?: number;
  AccessKeyId?: string;
  SecretAccessKey?: string;
  SessionToken?: string;
  Expiration?: string;
}

function run(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { env, timeout: timeoutMs, maxBuffer: 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        const why = e.killed ? `did not finish within ${timeoutMs} ms` : `exited with ${e.code ?? 'an error'}`;
        const first = stderr.trim().split('\n')[0]?.slice(0, 200);
        reject(new CredentialsError(`credential_process ${why}${first ? `: ${first}` : ''}`, { cause: err }));
        return;
      }
      resolve(stdout);
    });
  });
}

/**
 * `credential_process` of a shared-config profile: run through /bin/sh with the given environment;
 * stdout is `{"Version":1,"AccessKeyId":…,"SecretAccessKey":…,"SessionToken":…,"Expiration":…}`.
 */
export function fromProcess(command: string, env: NodeJS.ProcessEnv, profile: string, timeoutMs = PROCESS_TIMEOUT_MS): CredentialProvider & Described {
  const provider = async (): Promise<AwsCredentials> => {
    const stdout = await run(command, env, timeoutMs);
    let out: ProcessOutput;
    try {
      out = JSON.parse(stdout) as ProcessOutput;
    } catch (cause) {
      throw new CredentialsError(`credential_process of profile "${profile}" printed something that is not JSON`, { cause });
    }
    if (out.Version !== 1) throw new CredentialsError(`credential_process of profile "${profile}" printed Version ${String(out.Version)}; only 1 is known`);
    const expiration = out.Expiration ? new Date(out.Expiration) : undefined;
    const creds = checkCredentials({
      accessKeyId: out.AccessKeyId, secretAccessKey: out.SecretAccessKey, sessionToken: out.SessionToken, expiration,
    }, `credential_process of profile "${profile}"`);
    if (expiration && expiration.getTime() <= Date.now()) {
      throw new CredentialsError(`credential_process of profile "${profile}" returned credentials that expired at ${out.Expiration}`);
    }
    return creds;
  };
  return Object.assign(provider, { describe: () => `credential_process of profile "${profile}"` });
}
