import { ConfigError } from '../errors.js';
import { loadSharedFilesSync, profileName, type SharedFiles } from './credentials/shared-files.js';

/**
 * Endpoints configured outside Wren's own config, as every AWS SDK reads them (SDKs and Tools
 * Reference Guide, "Service-specific endpoints"). One function for every output: it passes its
 * service id, the SDK's identifier in lower case with underscores, which names both the variable
 * (`AWS_ENDPOINT_URL_<ID upper-cased>`) and the key in a `[services NAME]` section:
 *
 *   sts · cloudwatch_logs · firehose · kinesis · s3
 *
 * Precedence, first found wins:
 * 1. the output's own endpoint key (`endpoint`, `sts_endpoint` / `aws_sts_endpoint`);
 * 2. `AWS_ENDPOINT_URL_<SERVICE>`;
 * 3. `AWS_ENDPOINT_URL`;
 * 4. the profile's `services = NAME` → `[services NAME]` → `<service id> =` → `endpoint_url`;
 * 5. the profile's own `endpoint_url`;
 * then the service's default endpoint (the caller's). `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`
 * (or, when that variable is unset, the profile's `ignore_configured_endpoint_urls = true`) turns
 * 2–5 off; the output's own key always applies.
 */
export interface EndpointQuery {
  env: NodeJS.ProcessEnv;
  /** The output's profile option (`aws_profile` / `profile`); else AWS_PROFILE, AWS_DEFAULT_PROFILE, `default`. */
  profile?: string;
  /** The output's own endpoint key, and its name for messages. */
  explicit?: { value: string | undefined; key: string };
  /** The shared files, when the caller has them read already. */
  files?: SharedFiles;
}

export interface ConfiguredEndpoint {
  /** As written (a URL, or for some keys a bare host). */
  value: string;
  /** Where it came from, for messages: `endpoint`, `AWS_ENDPOINT_URL_STS`, `endpoint_url of profile "dev" in …`. */
  source: string;
}

/** `AWS_ENDPOINT_URL_<SERVICE>` for a service id. */
export function endpointVariable(serviceId: string): string {
  return `AWS_ENDPOINT_URL_${serviceId.toUpperCase().replace(/[ -]/g, '_')}`;
}

function flag(text: string | undefined, source: string): boolean | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new ConfigError(`${source} is '${text}'; it must be true or false`);
}

/**
 * The endpoint configured for `serviceId`, by the SDKs' precedence; undefined means the service's
 * default endpoint. Reads the shared config file (synchronously: call it at start-up, or rarely).
 */
export function configuredEndpoint(serviceId: string, q: EndpointQuery): ConfiguredEndpoint | undefined {
  const own = q.explicit?.value?.trim();
  if (own) return { value: own, source: q.explicit!.key };
  const env = q.env;
  const ignoreEnv = flag(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS');
  if (ignoreEnv === true) return undefined;
  const name = profileName(q.profile, env).name;
  let files = q.files;
  const profileOf = () => (files ??= loadSharedFilesSync(env)).profiles.get(name);
  if (ignoreEnv === undefined) {
    const p = profileOf();
    const where = p ? `ignore_configured_endpoint_urls of profile "${name}" in ${p.files.join(', ')}` : '';
    if (p && flag(p.values.ignore_configured_endpoint_urls, where)) return undefined;
  }
  const variable = endpointVariable(serviceId);
  if (env[variable]?.trim()) return { value: env[variable]!.trim(), source: variable };
  if (env.AWS_ENDPOINT_URL?.trim()) return { value: env.AWS_ENDPOINT_URL.trim(), source: 'AWS_ENDPOINT_URL' };
  const p = profileOf();
  if (!p) return undefined;
  const section = p.values.services?.trim();
  if (section) {
    const url = files!.services.get(section)?.[serviceId.toLowerCase()]?.endpoint_url?.trim();
    if (url) return { value: url, source: `${serviceId} endpoint_url of [services ${section}] in ${files!.configFile}` };
  }
  const global = p.values.endpoint_url?.trim();
  if (global) return { value: global, source: `endpoint_url of profile "${name}" in ${p.files.join(', ')}` };
  return undefined;
}
