import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { monotonicMs } from '../../src/clock.js';
import { addSecret } from '../../src/redact.js';
import type { Dispatcher } from 'undici';
import { Agent, request } from '../../src/net/undici.js';
import { WrenError, errorLine } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { PodJson } from './pod-meta.js';

export interface KubeClientOptions {
  /** API server base URL, or the kubelet's when `kubelet` is set. */
  url: string;
  kubelet: boolean;
  caFile?: string;
  tokenFile?: string;
  tokenTtlMs: number;
  tlsVerify: boolean;
  servername?: string;
  timeoutMs: number;
  /** Largest answer read; 0 for no limit. */
  maxBytes: number;
}

/** A failed metadata lookup: one line with the fix. `status` is the HTTP status when there was one. */
export class KubeApiError extends WrenError {
  constructor(message: string, readonly status?: number, hint?: string, cause?: unknown) {
    super('network', message, { hint, cause });
    this.name = 'KubeApiError';
  }
}

const HINTS: Record<number, string> = {
  401: 'the token was refused: check kube_token_file (the service account token)',
  403: 'grant the service account get, list and watch on pods (ClusterRole + ClusterRoleBinding)',
  404: 'the pod is gone or its name is not what the log file name says',
};

/**
 * Talks to the Kubernetes API (or the kubelet) for pod metadata over its own undici Agent: the
 * cluster CA from kube_ca_file, the bearer token from kube_token_file (re-read every
 * kube_token_ttl, and at once after a 401), a direct connection (never a proxy: the cluster API
 * is not destination traffic). The token never reaches a log line.
 */
export class KubeClient {
  private readonly agent: Dispatcher;
  private readonly base: URL;
  private token: string | undefined;
  private tokenReadAt = -Infinity;
  private tokenWarned = false;
  private podList: Promise<PodJson[]> | undefined;

  constructor(private readonly o: KubeClientOptions, private readonly log: Logger) {
    this.base = new URL(o.url);
    let ca: Buffer | undefined;
    if (this.base.protocol === 'https:' && o.caFile) {
      try {
        ca = readFileSync(o.caFile);
      } catch (err) {
        log.warn(`kubernetes: cannot read kube_ca_file ${o.caFile} (${errorLine(err)}); trusting the system CAs only (set kube_ca_file to the cluster CA)`);
      }
    }
    this.agent = new Agent({
      connect: { ca, rejectUnauthorized: o.tlsVerify, servername: o.servername, timeout: Math.min(o.timeoutMs, 10_000) },
      connections: 4,
    });
  }

  /** The pod, from the API server (`GET /api/v1/namespaces/<ns>/pods/<pod>`) or the kubelet's `/pods`. */
  async getPod(namespace: string, pod: string, signal: AbortSignal): Promise<PodJson> {
    if (!this.o.kubelet) {
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`;
      return (await this.get(path, signal)) as PodJson;
    }
    // One /pods request serves every lookup that arrives while it runs.
    this.podList ??= this.get('/pods', signal)
      .then((list) => ((list as { items?: PodJson[] }).items ?? []))
      .finally(() => { this.podList = undefined; });
    const items = await this.podList;
    const found = items.find((p) => p?.metadata?.name === pod && p.metadata.namespace === namespace);
    if (!found) throw new KubeApiError(`the kubelet does not list pod ${namespace}/${pod}`, 404, HINTS[404]);
    return found;
  }

  private async bearer(): Promise<string | undefined> {
    if (!this.o.tokenFile) return undefined;
    if (monotonicMs() - this.tokenReadAt < this.o.tokenTtlMs) return this.token;
    this.tokenReadAt = monotonicMs();
    try {
      this.token = (await readFile(this.o.tokenFile, 'utf8')).trim() || undefined;
      addSecret(this.token); // an API error body that echoes it is printed redacted
      this.tokenWarned = false;
    } catch (err) {
      this.token = undefined;
      if (!this.tokenWarned) {
        this.tokenWarned = true;
        this.log.warn(`kubernetes: cannot read kube_token_file ${this.o.tokenFile} (${errorLine(err)}); asking without a token (set kube_token_file)`);
      }
    }
    return this.token;
  }

  private async get(path: string, signal: AbortSignal): Promise<unknown> {
    const url = new URL(path, this.base);
    const token = await this.bearer();
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'wren' };
    if (token) headers.authorization = `Bearer ${token}`;
    const deadline = AbortSignal.timeout(this.o.timeoutMs);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: 'GET', headers, dispatcher: this.agent, signal: AbortSignal.any([signal, deadline]) });
    } catch (err) {
      throw this.networkError(err, deadline.aborted);
    }
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      if (res.statusCode === 401) this.tokenReadAt = -Infinity;
      throw new KubeApiError(`${this.what()} answered ${res.statusCode} for ${url.pathname}`, res.statusCode,
        HINTS[res.statusCode] ?? 'check that kube_url points at the API server');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (this.o.maxBytes > 0 && size > this.o.maxBytes) {
          res.body.destroy();
          throw new KubeApiError(`${this.what()} answer for ${url.pathname} is larger than buffer_size (${this.o.maxBytes} bytes)`,
            undefined, 'raise buffer_size, or set it to 0 for no limit');
        }
        chunks.push(c as Buffer);
      }
    } catch (err) {
      if (err instanceof KubeApiError) throw err;
      throw this.networkError(err, deadline.aborted);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      throw new KubeApiError(`${this.what()} answer for ${url.pathname} is not JSON`, 200, 'check that kube_url points at the API server', err);
    }
  }

  private what(): string {
    return this.o.kubelet ? `the kubelet at ${this.base.host}` : `the Kubernetes API at ${this.base.host}`;
  }

  private networkError(err: unknown, timedOut: boolean): KubeApiError {
    if (timedOut) {
      return new KubeApiError(`${this.what()} did not answer within ${this.o.timeoutMs} ms`, undefined,
        'check the API server, or raise kube_meta_io_timeout', err);
    }
    const line = errorLine(err);
    const tls = /certificate|self[- ]signed|CERT|SSL|TLS/i.test(line + String((err as { code?: string }).code ?? ''));
    return new KubeApiError(`cannot reach ${this.what()}: ${line}`, undefined,
      tls ? 'check kube_ca_file (the cluster CA) or tls.vhost' : 'check kube_url, or set use_tag_for_meta on to use the file name only', err);
  }

  async close(): Promise<void> {
    await this.agent.destroy().catch(() => undefined);
  }
}
