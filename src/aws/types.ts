import { WrenError } from '../errors.js';
import { addSecret } from '../redact.js';

/** AWS credentials as smithy's signer takes them, plus where they came from. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When they stop working; undefined for long-term keys. */
  expiration?: Date;
}

/** smithy's Provider shape: resolve credentials, or throw. */
export type CredentialProvider = () => Promise<AwsCredentials>;

/** The provider names `aws_credential_chain` accepts, in the default order (static first when set). */
export const PROVIDER_NAMES = ['static', 'env', 'profile', 'web_identity', 'container', 'imds'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/**
 * A provider that does not apply here (its variables or files are absent, IMDS is off): the chain
 * moves on and `wren credentials` reports "not configured". AWS SDK v3's `tryNextLink: true`.
 */
export class NotConfigured extends WrenError {
  readonly tryNextLink = true;

  constructor(message: string) {
    super('credentials', message);
    this.name = 'NotConfigured';
  }
}

/** A provider that applies but failed (bad file, timeout, refused): the chain still moves on. */
export class CredentialsError extends WrenError {
  readonly tryNextLink = false;

  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super('credentials', message, opts);
    this.name = 'CredentialsError';
  }
}

/** `warning`: something the provider skipped but went on without (a malformed line of ~/.aws/config). */
export type StepOutcome = 'answered' | 'not configured' | 'failed' | 'warning';

/** One provider's turn in a chain walk, for `wren credentials` and the chain's error. */
export interface ChainStep {
  provider: string;
  outcome: StepOutcome;
  ms: number;
  /** What it tried or why it failed; never a secret. */
  message: string;
}

/** A provider that can say, when it answered, where the credentials came from. */
export interface Described {
  /** e.g. `profile "dev" in /home/u/.aws/config (static keys)`. */
  describe?: () => string;
  /** What the last call skipped and went on without, one line each (FILE:LINE: …). */
  warnings?: () => string[];
}

/** `AKIA************MPLE`: enough to recognise a key, never the whole of it. */
export function maskKeyId(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length);
  return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

/** Check a provider's answer has both halves of a key pair. */
export function checkCredentials(c: Partial<AwsCredentials>, source: string): AwsCredentials {
  if (!c.accessKeyId || !c.secretAccessKey) {
    throw new CredentialsError(`${source} returned no ${!c.accessKeyId ? 'access key id' : 'secret access key'}`);
  }
  if (c.expiration && Number.isNaN(c.expiration.getTime())) {
    throw new CredentialsError(`${source} returned an unreadable expiration`);
  }
  addSecret(c.secretAccessKey);
  addSecret(c.sessionToken);
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken || undefined,
    expiration: c.expiration,
  };
}
