import { spawn } from 'node:child_process';
import { excerpt } from '../../redact.js';
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

const MAX_OUTPUT = 1024 * 1024;

/** Kill a process group (the shell and whatever it started); gone already is fine. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group has already exited
  }
}

/**
 * Run the command through /bin/sh in a process group of its own, so that a timeout kills the
 * shell and every process it started (a helper that spawned a browser or an agent would
 * otherwise outlive the attempt). What it printed on stderr is only ever shown redacted.
 */
function run(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (err: CredentialsError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(stdout);
    };
    const timer = setTimeout(() => {
      killGroup(child.pid);
      finish(new CredentialsError(`credential_process did not finish within ${timeoutMs} ms (its process group was killed)${said()}`));
    }, timeoutMs);
    const said = () => {
      const first = stderr.trim().split('\n')[0];
      return first ? `: ${excerpt(first, 200)}` : '';
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.length > MAX_OUTPUT) {
        killGroup(child.pid);
        finish(new CredentialsError(`credential_process printed more than ${MAX_OUTPUT} bytes (its process group was killed)`));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 64 * 1024) stderr += d;
    });
    child.on('error', (err) => finish(new CredentialsError(`credential_process could not be started: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => {
      if (code === 0) return finish(undefined);
      finish(new CredentialsError(`credential_process exited with ${code ?? signal ?? 'an error'}${said()}`));
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
