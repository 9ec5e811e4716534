import type { Dispatcher } from 'undici';
import { monotonicMs } from '../../clock.js';
import { errorLine } from '../../errors.js';
import type { Logger } from '../../log.js';
import { send, type IncomingResponse } from '../../net/request.js';
import { CredentialsError } from '../types.js';

/**
 * The EC2 instance metadata protocol, fast when it goes wrong:
 * - IMDSv2: `PUT /latest/api/token`, then GETs with the token (kept for its TTL).
 * - Hop limit: when the token PUT goes unanswered while a plain GET to the same endpoint answers,
 *   the PUT's reply died at HttpPutResponseHopLimit 1 behind a container bridge. Concluded within
 *   `hopWaitMs` (not the full timeout), then IMDSv1 is used (unless fallback is off) and
 *   remembered for every later refresh; the fix is logged once. The PUT stays out until the
 *   timeout: if it answers after all, IMDS was only slow, and IMDSv2 is used from the next call.
 * - A token PUT refused with 403/404/405 (no token API, as an IMDS emulator): IMDSv1, logged once.
 * - An IMDS that accepts connections but never answers fails within `timeoutMs`.
 */
export interface ImdsClientOptions {
  /** Base URL, e.g. http://169.254.169.254. */
  endpoint: string;
  /** The metadata-class dispatcher. */
  dispatcher: Dispatcher;
  timeoutMs: number;
  v1Fallback: boolean;
  log: Logger;
  /** 'v1': never ask for a token (the aws filter's `imds_version v1`); default: IMDSv2 with the fallback above. */
  version?: 'v1' | 'v2';
}

export const HOP_LIMIT_FIX = 'raise the instance\'s HttpPutResponseHopLimit to 2 (aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2), or use IRSA / EKS Pod Identity';
const TOKEN_TTL_S = 21600;

/** IMDS answered, with a status other than 200 (404: no such metadata). */
export class ImdsHttpError extends CredentialsError {
  constructor(readonly status: number, message: string, hint?: string) {
    super(message, { hint });
  }
}

function tokenOf(res: IncomingResponse): { token: string; ttlS: number } {
  const ttl = Number(res.headers['x-aws-ec2-metadata-token-ttl-seconds']) || TOKEN_TTL_S;
  return { token: res.body.toString('utf8').trim(), ttlS: ttl };
}

type TokenOutcome =
  | { kind: 'token'; token: string; ttlS: number }
  | { kind: 'hop-limit'; afterMs: number }
  | { kind: 'no-token-api'; status: number };

export class ImdsClient {
  private mode: 'unknown' | 'v2' | 'v1' = 'unknown';
  private fallback?: 'hop-limit' | 'no-token-api';
  private token?: { value: string; expiresAt: number };
  private warned = false;
  private warnedNoTokenApi = false;

  constructor(private readonly o: ImdsClientOptions) {
    if (o.version === 'v1') this.mode = 'v1';
  }

  /** How the last call reached IMDS, for `wren credentials`. */
  get how(): string {
    if (this.o.version === 'v1') return 'IMDSv1 (imds_version v1)';
    if (this.mode === 'v1') {
      return this.fallback === 'hop-limit'
        ? `IMDSv1: the IMDSv2 token PUT was dropped (hop limit); fix: ${HOP_LIMIT_FIX}`
        : 'IMDSv1: this IMDS has no token API';
    }
    return 'IMDSv2';
  }

  private get hopWaitMs(): number {
    return Math.min(100, this.o.timeoutMs / 4);
  }

  private request(method: string, path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<IncomingResponse> {
    return send({ method, url: new URL(path, this.o.endpoint), headers }, this.o.dispatcher, { timeoutMs: this.o.timeoutMs, signal });
  }

  private fetchToken(): Promise<TokenOutcome> {
    const { endpoint, timeoutMs } = this.o;
    const t0 = monotonicMs();
    const ctl = new AbortController();
    return new Promise<TokenOutcome>((resolve, reject) => {
      let settled = false;
      /** Concluded "hop limit" while the PUT is still out: it may yet answer (slow, not dropped). */
      let hopConcluded = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (fn: () => void, keepPut = false) => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        if (keepPut) {
          hopConcluded = true;
          // the PUT stays out for the rest of its time: an answer proves it was only slow
          const rest = setTimeout(() => ctl.abort(), Math.max(0, t0 + timeoutMs - monotonicMs()));
          rest.unref();
        } else {
          ctl.abort();
        }
        fn();
      };
      const tooLate = () => finish(() => reject(new CredentialsError(
        `IMDS at ${endpoint} did not answer within ${timeoutMs} ms`, { hint: 'set aws_imds: off when not on EC2' },
      )));
      timers.push(setTimeout(tooLate, timeoutMs));
      this.request('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_S) }, ctl.signal).then((res) => {
        if (hopConcluded) {
          ctl.abort();
          if (res.status === 200) this.putWasSlow(res, Math.round(monotonicMs() - t0));
          return;
        }
        finish(() => {
          if (res.status === 200) {
            resolve({ kind: 'token', ...tokenOf(res) });
          } else if (res.status === 403 || res.status === 404 || res.status === 405) {
            resolve({ kind: 'no-token-api', status: res.status });
          } else {
            reject(new CredentialsError(`IMDS token request to ${endpoint} answered HTTP ${res.status}`));
          }
        });
      }, (err: unknown) => {
        // the PUT's own deadline is this one (which of the two timers fires first is not defined)
        if ((err as Error).name === 'TimeoutError') tooLate();
        else finish(() => reject(new CredentialsError(`IMDS at ${endpoint} unreachable: ${errorLine(err)}`, { cause: err })));
      });
      // If the PUT is slow, ask whether the endpoint answers a plain GET: if it does and the PUT
      // still has not, the PUT's reply is being dropped (hop limit).
      timers.push(setTimeout(() => {
        this.request('GET', '/latest/meta-data/', {}, ctl.signal).then(() => {
          if (settled) return;
          const wait = Math.max(0, t0 + this.hopWaitMs - monotonicMs());
          timers.push(setTimeout(() => finish(() => resolve({ kind: 'hop-limit', afterMs: Math.round(monotonicMs() - t0) }), true), wait));
        }, () => { /* the deadline reports it */ });
      }, Math.min(20, timeoutMs / 10)));
    });
  }

  /**
   * The token PUT taken for a hop-limit drop answered after all: IMDS was slow, not out of reach.
   * IMDSv1 was a guess, not a fact: the token is kept and IMDSv2 used from the next call.
   */
  private putWasSlow(res: IncomingResponse, afterMs: number): void {
    if (this.mode !== 'v1' || this.fallback !== 'hop-limit') return;
    const { token, ttlS } = tokenOf(res);
    this.mode = 'v2';
    this.fallback = undefined;
    this.token = { value: token, expiresAt: Date.now() + ttlS * 1000 };
    this.o.log.warn({ endpoint: this.o.endpoint }, `the IMDSv2 token PUT answered after ${afterMs} ms: IMDS was slow, not cut off by the hop limit; IMDSv2 is used again from the next refresh`);
  }

  private async ensureToken(): Promise<string | undefined> {
    if (this.mode === 'v1') return undefined;
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return this.token.value;
    const out = await this.fetchToken();
    if (out.kind === 'token') {
      this.mode = 'v2';
      this.token = { value: out.token, expiresAt: Date.now() + out.ttlS * 1000 };
      return out.token;
    }
    const { endpoint } = this.o;
    if (out.kind === 'hop-limit') {
      if (!this.o.v1Fallback) {
        throw new CredentialsError(`IMDSv2 token PUT to ${endpoint} got no answer within ${out.afterMs} ms while GETs answer (hop limit 1 behind a container bridge), and IMDSv1 fallback is off`, { hint: HOP_LIMIT_FIX });
      }
      this.mode = 'v1';
      this.fallback = 'hop-limit';
      if (!this.warned) {
        this.warned = true;
        this.o.log.warn({ endpoint }, `IMDSv2 token PUT got no answer within ${out.afterMs} ms while GETs answer: the instance's HttpPutResponseHopLimit is 1 and Wren runs behind a container bridge. Using IMDSv1 from now on. Fix: ${HOP_LIMIT_FIX}`);
      }
      return undefined;
    }
    if (!this.o.v1Fallback) {
      throw new CredentialsError(`IMDS at ${endpoint} refused the IMDSv2 token request (HTTP ${out.status}) and IMDSv1 fallback is off`, {
        hint: out.status === 403 ? 'IMDS refuses proxied token requests: leave aws_metadata_proxy unset' : undefined,
      });
    }
    this.mode = 'v1';
    this.fallback = 'no-token-api';
    if (!this.warnedNoTokenApi) {
      this.warnedNoTokenApi = true;
      this.o.log.warn({ endpoint, status: out.status }, `IMDS at ${endpoint} refused the IMDSv2 token request (HTTP ${out.status}): using IMDSv1 (set aws_imds_v1_fallback: off to refuse it${out.status === 403 ? '; a 403 also means a proxied request: leave aws_metadata_proxy unset' : ''})`);
    }
    return undefined;
  }

  /** GET a metadata path; the text of a 200 answer. */
  async get(path: string): Promise<string> {
    let token = await this.ensureToken();
    const headers = (t: string | undefined): Record<string, string> => (t ? { 'x-aws-ec2-metadata-token': t } : {});
    let res: IncomingResponse;
    const once = async () => {
      try {
        return await this.request('GET', path, headers(token));
      } catch (err) {
        const timedOut = (err as Error).name === 'TimeoutError';
        throw new CredentialsError(`IMDS GET ${path} ${timedOut ? `got no answer within ${this.o.timeoutMs} ms` : `failed: ${errorLine(err)}`}`, { cause: err });
      }
    };
    res = await once();
    if (res.status === 401 && token) {
      this.token = undefined; // expired or revoked: one fresh token
      token = await this.ensureToken();
      res = await once();
    }
    if (res.status === 401 && this.o.version === 'v1') {
      throw new ImdsHttpError(401, 'IMDS refused IMDSv1 (HTTP 401: the instance requires IMDSv2 tokens)', 'set imds_version v2');
    }
    if (res.status === 401 && !token) {
      const hop = this.fallback === 'hop-limit';
      // IMDSv1 is no way out here: forget the fallback so the next attempt tries IMDSv2 again.
      this.mode = 'unknown';
      this.fallback = undefined;
      throw new ImdsHttpError(401, `IMDS refused IMDSv1 (HTTP 401: HttpTokens=required)${hop ? ' after the IMDSv2 token PUT was dropped by the hop limit' : ''}`,
        hop ? HOP_LIMIT_FIX : undefined);
    }
    if (res.status !== 200) throw new ImdsHttpError(res.status, `IMDS GET ${path} answered HTTP ${res.status}`);
    return res.body.toString('utf8');
  }

  /** The instance profile's credentials. */
  async credentials(): Promise<{ accessKeyId?: string; secretAccessKey?: string; sessionToken?: string; expiration?: Date; role: string }> {
    const base = '/latest/meta-data/iam/security-credentials/';
    let role: string;
    try {
      role = (await this.get(base)).split('\n')[0]!.trim();
    } catch (err) {
      if (err instanceof ImdsHttpError && err.status === 404) {
        throw new CredentialsError('this EC2 instance has no IAM role (instance profile) attached', { hint: 'attach an instance profile, or configure another credential source' });
      }
      throw err;
    }
    if (!role) throw new CredentialsError('this EC2 instance has no IAM role (instance profile) attached');
    const text = await this.get(`${base}${encodeURIComponent(role)}`);
    let doc: Record<string, string>;
    try {
      doc = JSON.parse(text) as Record<string, string>;
    } catch (cause) {
      throw new CredentialsError(`IMDS credentials for role ${role} are not JSON`, { cause });
    }
    if (doc.Code && doc.Code !== 'Success') throw new CredentialsError(`IMDS credentials for role ${role}: ${doc.Code}${doc.Message ? `: ${doc.Message}` : ''}`);
    return {
      role,
      accessKeyId: doc.AccessKeyId,
      secretAccessKey: doc.SecretAccessKey,
      sessionToken: doc.Token,
      expiration: doc.Expiration ? new Date(doc.Expiration) : undefined,
    };
  }
}
