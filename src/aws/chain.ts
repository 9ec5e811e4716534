import { monotonicMs } from '../clock.js';
import { errorLine } from '../errors.js';
import {
  CredentialsError, NotConfigured, type AwsCredentials, type ChainStep, type CredentialProvider, type Described,
} from './types.js';

/** One link: a name and how to build its provider (only when the chain reaches it). */
export interface ChainLink {
  name: string;
  build: () => CredentialProvider & Described;
}

/** What a walk found, with every step it took. */
export interface Resolution {
  credentials: AwsCredentials;
  /** The provider that answered (`profile`, or `env+assume_role`). */
  provider: string;
  /** Where they came from, e.g. `profile "default" in ~/.aws/config (static keys)`. */
  description: string;
  steps: ChainStep[];
}

/** Nothing answered: the message lists every step and why. */
export class ChainError extends CredentialsError {
  constructor(readonly steps: ChainStep[], message?: string) {
    super(message ?? `no AWS credentials found: ${steps.map((s) => `${s.provider}: ${s.outcome === 'failed' || s.outcome === 'warning' ? `${s.outcome}: ` : ''}${s.message}`).join('; ')}`, {
      hint: 'run `wren credentials -c <config>` to see each step',
    });
    this.name = 'ChainError';
  }
}

export function elapsed(t0: number): number {
  return Math.round((monotonicMs() - t0) * 10) / 10;
}

/** Run one provider as a step of the report. */
export async function runStep(name: string, p: () => Promise<AwsCredentials>): Promise<{ step: ChainStep; credentials?: AwsCredentials }> {
  const t0 = monotonicMs();
  try {
    const credentials = await p();
    return { step: { provider: name, outcome: 'answered', ms: elapsed(t0), message: '' }, credentials };
  } catch (err) {
    const outcome = err instanceof NotConfigured ? 'not configured' : 'failed';
    return { step: { provider: name, outcome, ms: elapsed(t0), message: errorLine(err) } };
  }
}

/**
 * The configured providers, in order. Lazy: a link is built and asked only when every earlier one
 * said no; a failing link never stops the walk. Built providers are kept for later walks (so IMDS
 * remembers what it learnt).
 */
export class CredentialChain {
  private readonly built = new Map<string, CredentialProvider & Described>();

  constructor(readonly links: readonly ChainLink[]) {}

  private provider(link: ChainLink): CredentialProvider & Described {
    let p = this.built.get(link.name);
    if (!p) {
      p = link.build();
      this.built.set(link.name, p);
    }
    return p;
  }

  async walk(): Promise<Resolution> {
    const steps: ChainStep[] = [];
    for (const link of this.links) {
      let p: (CredentialProvider & Described) | undefined;
      const { step, credentials } = await runStep(link.name, () => {
        p = this.provider(link);
        return p();
      });
      for (const message of p?.warnings?.() ?? []) steps.push({ provider: link.name, outcome: 'warning', ms: 0, message });
      if (credentials) {
        step.message = p?.describe?.() ?? '';
        steps.push(step);
        return { credentials, provider: link.name, description: step.message, steps };
      }
      steps.push(step);
    }
    throw new ChainError(steps, steps.length === 0 ? 'no AWS credentials: aws_credential_chain is empty' : undefined);
  }
}
