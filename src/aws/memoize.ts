import { isoTime } from '../codec/iso-time.js';
import { errorLine } from '../errors.js';
import type { Logger } from '../log.js';
import type { Resolution } from './chain.js';
import type { AwsCredentials } from './types.js';

/** Credentials closer than this to their expiration are not used: wait for fresh ones. */
export const EXPIRY_MARGIN_MS = 15_000;
/** Background refreshes (inside the refresh window) start at most this often. */
export const BACKGROUND_INTERVAL_MS = 10_000;
/** A forced refresh right after another forced one reuses it (a burst of 403s). */
export const FORCED_DEDUP_MS = 1_000;

export interface CacheOptions {
  /** `aws_refresh_window`: refresh this long before expiry, in the background. */
  refreshWindowMs: number;
  log: Logger;
  now?: () => number;
}

/**
 * Memoized credentials shared by every output configured the same way: one in-flight resolution at
 * a time; fresh credentials are returned without walking anything; inside the refresh window a
 * background refresh runs while the current credentials keep serving.
 */
export class CredentialCache {
  private current?: Resolution;
  private inflight?: Promise<Resolution>;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private lastForced = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(private readonly resolve: () => Promise<Resolution>, private readonly o: CacheOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The last resolution, if any. */
  peek(): Resolution | undefined {
    return this.current;
  }

  get(): Promise<AwsCredentials> {
    const now = this.usable();
    return now !== undefined ? Promise.resolve(now) : this.shared().then((r) => r.credentials);
  }

  /**
   * The credentials, when they can be used now without waiting (a refresh near expiry then runs
   * in the background); undefined when get() would have to resolve them first.
   */
  usable(): AwsCredentials | undefined {
    const cur = this.current;
    if (!cur) return undefined;
    const exp = cur.credentials.expiration;
    if (!exp) return cur.credentials;
    const left = exp.getTime() - this.now();
    if (left > this.o.refreshWindowMs) return cur.credentials;
    if (left > EXPIRY_MARGIN_MS) {
      this.background();
      return cur.credentials;
    }
    return undefined;
  }

  /** Force a new resolution (after a 401/403 for an expired or invalid token). */
  async refresh(): Promise<void> {
    if (this.inflight) {
      await this.inflight;
      return;
    }
    if (this.now() - this.lastForced < FORCED_DEDUP_MS) return;
    await this.shared();
    this.lastForced = this.now();
  }

  private shared(): Promise<Resolution> {
    if (!this.inflight) {
      this.lastAttempt = this.now();
      this.inflight = this.resolve().then((r) => {
        this.current = r;
        return r;
      }).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private background(): void {
    if (this.inflight || this.now() - this.lastAttempt < BACKGROUND_INTERVAL_MS) return;
    const exp = this.current?.credentials.expiration;
    const until = exp ? isoTime(exp.getTime()) : undefined;
    this.shared().then((r) => {
      this.o.log.debug({ provider: r.provider }, 'AWS credentials refreshed in the background');
    }, (err: unknown) => {
      this.o.log.warn(`refreshing AWS credentials failed (${errorLine(err)}); the current ones stay in use until ${until}`);
    });
  }
}
