import type { Dispatcher } from 'undici';
import type { PluginOptions } from '../config/types.js';
import { errorLine } from '../errors.js';
import type { Logger } from '../log.js';
import type { OutgoingRequest } from '../net/request.js';
import { ChainError, type Resolution } from './chain.js';
import { CredentialCache } from './memoize.js';
import type { AwsKeyStyle } from './options.js';
import { createResolver, type ResolverDeps } from './resolver.js';
import { readAwsSettings, type AwsSettings } from './settings.js';
import { signRequest } from './signer.js';
import type { AwsCredentials, ChainStep } from './types.js';

export interface AwsAuthDeps {
  /** SigV4 service name: `es`, `aoss`, `logs`, … (the output's own key). */
  service: string;
  style: AwsKeyStyle;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /**
   * Dispatchers for STS (destination class) and IMDS / container endpoints (metadata class). The
   * shared cache outlives any one output, so it makes its own from the same settings (the output's
   * `proxy` and the environment; `aws_metadata_proxy`) and ignores these, unless `isolated`.
   */
  destination?: Dispatcher;
  metadata?: Dispatcher;
  /** A cache of this auth's own, using the dispatchers given (tests). */
  isolated?: boolean;
  /** Base of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; tests point it at a loopback fake. */
  ecsHost?: string;
  /** Clock for signing and expiry (ms since epoch). */
  now?: () => number;
}

/** The outcome of one full walk, step by step (for `wren credentials`). */
export interface WalkReport {
  resolution?: Resolution;
  steps: ChainStep[];
  /** The one-line error when nothing answered. */
  error?: string;
}

export interface AwsAuth {
  readonly region: string;
  readonly service: string;
  readonly settings: AwsSettings;
  /** SigV4-sign a request right before sending it (re-sign on every retry). */
  sign(req: OutgoingRequest): Promise<OutgoingRequest>;
  /** sign() without waiting, when the credentials are at hand (else undefined: use sign()). */
  signNow(req: OutgoingRequest): OutgoingRequest | undefined;
  /** The current credentials (cached; refreshed in the background near expiry). */
  credentials(): Promise<AwsCredentials>;
  /** Force a refresh, e.g. after a 401/403 for an expired or invalid token; then re-sign. */
  refresh(): Promise<void>;
  /** Walk the chain afresh with a report per step; never throws for missing credentials. */
  walk(): Promise<WalkReport>;
}

/** Shared caches: per environment object, per configuration. */
const caches = new WeakMap<NodeJS.ProcessEnv, Map<string, CredentialCache>>();
let isolatedCount = 0;

function cacheKey(s: AwsSettings, deps: AwsAuthDeps): string {
  const { regionSource: _ignored, ...rest } = s;
  return JSON.stringify({ ...rest, ecsHost: deps.ecsHost, isolated: deps.isolated ? ++isolatedCount : undefined });
}

function resolverDeps(deps: AwsAuthDeps): ResolverDeps {
  const own = deps.isolated === true;
  return { env: deps.env, log: deps.log, destination: own ? deps.destination : undefined, metadata: own ? deps.metadata : undefined, ecsHost: deps.ecsHost };
}

/**
 * AWS SigV4 signing with the credential chain, for one output. Outputs configured the same way
 * (same options, same environment object) share one memoized credential cache.
 */
export function createAwsAuth(options: PluginOptions, deps: AwsAuthDeps): AwsAuth {
  const settings = readAwsSettings(options, deps.style, deps.env);
  const now = deps.now ?? Date.now;
  let byKey = caches.get(deps.env);
  if (!byKey) caches.set(deps.env, byKey = new Map());
  const key = cacheKey(settings, deps);
  let cache = byKey.get(key);
  if (!cache) {
    const resolver = createResolver(settings, resolverDeps(deps));
    cache = new CredentialCache(() => resolver.resolve(), { refreshWindowMs: settings.refreshWindowMs, log: deps.log, now });
    byKey.set(key, cache);
  }
  const shared = cache;
  const { region } = settings;
  const { service } = deps;
  const signWith = (req: OutgoingRequest, credentials: AwsCredentials) => signRequest(req, { credentials, region, service, date: new Date(now()) });

  return {
    region,
    service,
    settings,
    async sign(req: OutgoingRequest): Promise<OutgoingRequest> {
      return signWith(req, await shared.get());
    },
    signNow(req: OutgoingRequest): OutgoingRequest | undefined {
      const credentials = shared.usable();
      return credentials === undefined ? undefined : signWith(req, credentials);
    },
    credentials: () => shared.get(),
    refresh: () => shared.refresh(),
    async walk(): Promise<WalkReport> {
      const resolver = createResolver(settings, { ...resolverDeps(deps), quiet: true });
      try {
        const resolution = await resolver.resolve();
        return { resolution, steps: resolution.steps };
      } catch (err) {
        return { steps: err instanceof ChainError ? err.steps : [], error: errorLine(err) };
      } finally {
        await resolver.close();
      }
    },
  };
}
