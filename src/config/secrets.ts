import type { PluginDefinition } from '../engine/types.js';
import { addSecret, addUrlSecrets, SECRET_HEADER } from '../redact.js';
import type { RawSection } from './types.js';

/** Keys whose value is a URL that may carry a password or a token. */
export const URL_SECRET_KEYS = new Set(['proxy', 'aws_metadata_proxy', 'http_proxy', 'https_proxy']);

/** Environment variables that hold secrets, or URLs that may. */
const ENV_SECRETS = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'];
const ENV_URLS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];

/** `NAME VALUE` (or `NAME: VALUE`) of a `header` entry; the value undefined when malformed. */
export function splitHeader(text: string): { name: string; value?: string } {
  const m = /^\s*([^\s:]+):?\s+(.*)$/.exec(text);
  return m ? { name: m[1]!, value: m[2]!.trim() } : { name: text.trim().split(/[\s:]/)[0] ?? '' };
}

function texts(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * Remember every secret a configuration holds (options declared `secret`, passwords and query
 * values of proxy URLs, values of credential-like headers) and those of the environment, before
 * anything is validated: a configuration error or a log line can then never print them.
 */
export function registerConfigSecrets(sections: readonly RawSection[], plugins: readonly PluginDefinition[], env: NodeJS.ProcessEnv): void {
  const secretKeys = new Set<string>();
  for (const p of plugins) for (const o of p.options) if (o.secret) secretKeys.add(o.key);
  for (const s of sections) {
    for (const e of s.entries) {
      if (secretKeys.has(e.key)) {
        for (const t of texts(e.value)) {
          addSecret(t);
          // 'USER PASSWORD' pairs (forward's security.users): the password alone too
          const pair = /^\s*\S+\s+(\S.*)$/.exec(t);
          if (pair) addSecret(pair[1]);
        }
      }
      else if (URL_SECRET_KEYS.has(e.key)) for (const t of texts(e.value)) addUrlSecrets(t);
      else if (e.key === 'header') {
        for (const t of texts(e.value)) {
          const h = splitHeader(t);
          if (SECRET_HEADER.test(h.name)) addSecret(h.value ?? t);
        }
      }
    }
  }
  for (const k of ENV_SECRETS) addSecret(env[k]);
  for (const k of ENV_URLS) addUrlSecrets(env[k]);
}
