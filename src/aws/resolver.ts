import type { Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import { createDestinationDispatcher, createMetadataDispatcher } from '../net/dispatchers.js';
import { ChainError, CredentialChain, runStep, type ChainLink, type Resolution } from './chain.js';
import { fromContainer } from './credentials/container.js';
import { fromEnv } from './credentials/env.js';
import { fromImds } from './credentials/imds.js';
import { fromIni } from './credentials/ini.js';
import { fromStatic } from './credentials/static.js';
import { fromWebIdentity } from './credentials/web-identity.js';
import { stsEndpoint } from './endpoints.js';
import type { AwsSettings } from './settings.js';
import { StsClient, defaultSessionName } from './sts.js';
import type { ChainStep, CredentialProvider, Described, ProviderName } from './types.js';

export interface ResolverDeps {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Destination-class dispatcher for STS; default: the output's proxy, else the environment's. */
  destination?: Dispatcher;
  /** Metadata-class dispatcher for IMDS and container endpoints; default: direct or aws_metadata_proxy. */
  metadata?: Dispatcher;
  /** Base of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (tests point it at a loopback fake). */
  ecsHost?: string;
  /** Do not log the walk's warnings (`wren credentials` prints them as steps). */
  quiet?: boolean;
}

export interface Resolver {
  resolve(): Promise<Resolution>;
  /** Close the dispatchers this resolver made (not those it was given). */
  close(): Promise<void>;
}

const STS_TIMEOUT_MS = 5000;

/**
 * The configured chain (static keys first when set), then `aws_role_arn` on top. Providers and
 * dispatchers are made only when first needed.
 */
export function createResolver(s: AwsSettings, deps: ResolverDeps): Resolver {
  const made: Dispatcher[] = [];
  let destination = deps.destination;
  let metadata = deps.metadata;
  const dest = () => {
    if (!destination) made.push(destination = createDestinationDispatcher({ proxy: s.proxy, env: deps.env }));
    return destination;
  };
  const meta = () => {
    if (!metadata) made.push(metadata = createMetadataDispatcher({ proxy: s.metadataProxy, connectTimeoutMs: s.imdsTimeoutMs }));
    return metadata;
  };
  const sts = (region?: string) => new StsClient({
    endpoint: stsEndpoint(region ?? s.region, s.stsEndpoint, deps.env, s.profile, s.stsEndpointKey), region: region ?? s.region, dispatcher: dest(), timeoutMs: STS_TIMEOUT_MS,
  });
  let imds: (CredentialProvider & Described) | undefined;
  const imdsProvider = () => imds ??= fromImds({
    mode: s.imds, env: deps.env, endpoint: s.imdsEndpoint, sysfsRoot: s.sysfsRoot, timeoutMs: s.imdsTimeoutMs,
    v1Fallback: s.imdsV1Fallback, dispatcher: meta(), log: deps.log,
  });
  const container = () => fromContainer({ env: deps.env, dispatcher: meta(), timeoutMs: s.imdsTimeoutMs, ecsHost: deps.ecsHost });
  const builders: Record<ProviderName, () => CredentialProvider & Described> = {
    static: () => fromStatic(s.staticKeys),
    env: () => fromEnv(deps.env),
    profile: () => fromIni(s.profile, { env: deps.env, sts, imds: imdsProvider, container }),
    web_identity: () => fromWebIdentity(deps.env, () => sts()),
    container,
    imds: imdsProvider,
  };
  const names = [...s.chain];
  if ((s.staticKeys.accessKeyId || s.staticKeys.secretAccessKey) && !names.includes('static')) names.unshift('static');
  const links: ChainLink[] = names.map((name) => ({ name, build: builders[name] }));
  const chain = new CredentialChain(links);

  const logged = new Set<string>();
  const logWarnings = (steps: readonly ChainStep[]) => {
    if (deps.quiet) return;
    for (const s of steps) {
      if (s.outcome !== 'warning' || logged.has(s.message)) continue;
      logged.add(s.message);
      deps.log.warn(`${s.provider} credentials: ${s.message}`);
    }
  };
  const walk = async (): Promise<Resolution> => {
    try {
      const found = await chain.walk();
      logWarnings(found.steps);
      return found;
    } catch (err) {
      if (err instanceof ChainError) logWarnings(err.steps);
      throw err;
    }
  };

  return {
    async resolve(): Promise<Resolution> {
      const found = await walk();
      if (!s.roleArn) return found;
      const client = sts();
      const { step, credentials } = await runStep('assume_role', () => client.assumeRole(found.credentials, {
        roleArn: s.roleArn!, sessionName: s.roleSessionName || defaultSessionName(), externalId: s.externalId, durationSeconds: s.roleDurationS,
      }));
      const steps = [...found.steps, step];
      if (!credentials) throw new ChainError(steps, `assuming ${s.roleArn} with credentials from ${found.provider} failed: ${step.message}`);
      step.message = `role ${s.roleArn} via ${client.endpoint}`;
      return { credentials, provider: `${found.provider}+assume_role`, description: `${found.description} → ${step.message}`, steps };
    },
    async close(): Promise<void> {
      await Promise.all(made.map((d) => d.close()));
    },
  };
}
