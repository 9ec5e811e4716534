import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import { errorLine } from '../../errors.js';
import { send } from '../../net/request.js';
import { addSecret, excerpt, redact } from '../../redact.js';
import { CredentialsError, NotConfigured, checkCredentials, type AwsCredentials, type CredentialProvider, type Described } from '../types.js';

/** Where ECS serves AWS_CONTAINER_CREDENTIALS_RELATIVE_URI. */
export const ECS_HOST = 'http://169.254.170.2';

/** Hosts a full URI may name: loopback, the ECS address, the EKS Pod Identity agent (v4 and v6). */
const ALLOWED_HOSTS = new Set(['169.254.170.2', '169.254.170.23', 'fd00:ec2::23', 'localhost']);

function isAllowedHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (ALLOWED_HOSTS.has(h)) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export interface ContainerOptions {
  env: NodeJS.ProcessEnv;
  /** The metadata-class dispatcher (never the environment proxy). */
  dispatcher: Dispatcher;
  timeoutMs: number;
  /** Base for the relative URI; ECS_HOST unless a test points it at a loopback fake. */
  ecsHost?: string;
}

/**
 * The relative URI is a path on the ECS address, and only that: joined as text (a `//host/…`
 * resolved as a URL reference would name another host and receive the authorization token).
 */
export function relativeEndpoint(rel: string, base: string = ECS_HOST): URL {
  const origin = new URL(base).origin;
  let url: URL;
  try {
    url = new URL(origin + (rel.startsWith('/') ? rel : `/${rel}`));
  } catch (cause) {
    throw new CredentialsError(`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI '${redact(rel)}' is not a path`, { cause });
  }
  if (url.origin !== origin || url.username !== '' || url.password !== '') {
    throw new CredentialsError(`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI '${redact(rel)}' does not stay on ${origin}`, { hint: 'it must be a path, such as /v2/credentials/…' });
  }
  return url;
}

/** A URL for messages: no userinfo, no query values. */
function shown(url: URL): string {
  return redact(url.href);
}

function endpoint(o: ContainerOptions): URL {
  const rel = o.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
  if (rel) return relativeEndpoint(rel, o.ecsHost ?? ECS_HOST);
  const full = o.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  if (!full) throw new NotConfigured('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set');
  let url: URL;
  try {
    url = new URL(full);
  } catch (cause) {
    throw new CredentialsError(`AWS_CONTAINER_CREDENTIALS_FULL_URI '${redact(full)}' is not a URL`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CredentialsError(`AWS_CONTAINER_CREDENTIALS_FULL_URI must be http:// or https://, not ${url.protocol}`);
  }
  if (!isAllowedHost(url.hostname)) {
    throw new CredentialsError(`AWS_CONTAINER_CREDENTIALS_FULL_URI host ${url.hostname} is not allowed`, {
      hint: 'only loopback, 169.254.170.2, 169.254.170.23 and fd00:ec2::23 may serve container credentials',
    });
  }
  return url;
}

/** The Authorization token, read afresh on every call: the Pod Identity agent rotates the file. */
async function authorization(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const file = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
  let token: string | undefined;
  if (file) {
    try {
      token = (await readFile(file, 'utf8')).trim();
    } catch (cause) {
      throw new CredentialsError(`cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ${file}: ${errorLine(cause)}`, { cause });
    }
  } else {
    token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  }
  if (token !== undefined && /[\r\n]/.test(token)) throw new CredentialsError('the container authorization token contains a line break');
  return token || undefined;
}

/** ECS task role or EKS Pod Identity credentials from the container credentials endpoint. */
export function fromContainer(o: ContainerOptions): CredentialProvider & Described {
  let last = '';
  const provider = async (): Promise<AwsCredentials> => {
    const url = endpoint(o);
    last = shown(url);
    const token = await authorization(o.env);
    addSecret(token);
    let res;
    try {
      res = await send({ method: 'GET', url, headers: token ? { authorization: token } : {} }, o.dispatcher, { timeoutMs: o.timeoutMs });
    } catch (cause) {
      const timedOut = (cause as Error).name === 'TimeoutError';
      throw new CredentialsError(`container credentials endpoint ${last} ${timedOut ? `did not answer within ${o.timeoutMs} ms` : `unreachable: ${errorLine(cause)}`}`, { cause });
    }
    const text = res.body.toString('utf8');
    if (res.status !== 200) {
      let detail = text;
      try { detail = String((JSON.parse(text) as { message?: string }).message ?? detail); } catch { /* not JSON */ }
      throw new CredentialsError(`container credentials endpoint ${last} answered HTTP ${res.status}: ${excerpt(detail, 200)}`, {
        hint: res.status === 401 || res.status === 403 ? 'check AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)' : undefined,
      });
    }
    let body: Record<string, string>;
    try {
      body = JSON.parse(text) as Record<string, string>;
    } catch (cause) {
      throw new CredentialsError(`container credentials endpoint ${last} answered something that is not JSON`, { cause });
    }
    return checkCredentials({
      accessKeyId: body.AccessKeyId,
      secretAccessKey: body.SecretAccessKey,
      sessionToken: body.Token,
      expiration: body.Expiration ? new Date(body.Expiration) : undefined,
    }, `container credentials endpoint ${last}`);
  };
  return Object.assign(provider, { describe: () => `container credentials endpoint ${last}` });
}
