import { monotonicMs } from '../../src/clock.js';
import { errorLine } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { PluginMetrics } from '../../src/engine/types.js';
import type { ContainerProps } from './annotations.js';
import type { PodJson } from './pod-meta.js';

/** The `kubernetes` map of one container, and what its pod's annotations ask for it. */
export interface ContainerMeta {
  meta: Record<string, unknown>;
  props?: ContainerProps;
}

/** What the cache knows about one pod. */
interface PodState {
  pod?: PodJson;
  /** monotonicMs() of the last good answer. */
  fetchedAt: number;
  /** After a failure: no new request before this time. */
  retryAt: number;
  inflight?: Promise<void>;
  /** Per-container `kubernetes` maps built from `pod`; cleared when `pod` changes. */
  metas: Map<string, ContainerMeta>;
}

export type PodFetcher = (namespace: string, pod: string) => Promise<PodJson>;

export interface MetaCacheOptions {
  cacheTtlMs: number;
  negativeTtlMs: number;
  waitTimeoutMs: number;
  maxPods?: number;
  /** Aborted at shutdown: lookups cut short then are not reported. */
  signal?: AbortSignal;
}

/**
 * Pod metadata cached per pod, fetched beside the pipeline:
 * - first sight of a pod: one request; the caller may wait for it up to `waitTimeoutMs`;
 * - a pod being fetched, or whose last fetch failed less than `negativeTtlMs` ago: no wait, the
 *   caller goes on without API metadata (the failure is logged once per pod per period);
 * - an expired entry (`cacheTtlMs` > 0) is refreshed in the background while the old one serves.
 */
export class MetaCache {
  private readonly pods = new Map<string, PodState>();
  private readonly maxPods: number;

  constructor(
    private readonly fetch: PodFetcher,
    private readonly o: MetaCacheOptions,
    private readonly log: Logger,
    private readonly metrics: PluginMetrics,
  ) {
    this.maxPods = o.maxPods ?? 20_000;
  }

  /**
   * The pod's state when known now; or a promise (first sight only) that settles within the wait
   * timeout with whatever is known then.
   */
  lookup(key: string, namespace: string, pod: string): PodState | Promise<PodState> {
    const now = monotonicMs();
    let st = this.pods.get(key);
    if (st === undefined) {
      st = { fetchedAt: 0, retryAt: 0, metas: new Map() };
      if (this.pods.size >= this.maxPods) this.pods.delete(this.pods.keys().next().value!);
      this.pods.set(key, st);
      this.start(st, namespace, pod);
      return this.waitFor(st);
    }
    if (st.inflight === undefined) {
      if (st.pod === undefined ? now >= st.retryAt : this.o.cacheTtlMs > 0 && now - st.fetchedAt >= this.o.cacheTtlMs) {
        this.start(st, namespace, pod);
      }
    }
    return st;
  }

  private start(st: PodState, namespace: string, pod: string): void {
    this.metrics.add('kube_api_requests');
    st.inflight = this.fetch(namespace, pod).then(
      (json) => {
        st.pod = json;
        st.fetchedAt = monotonicMs();
        st.metas.clear();
      },
      (err: unknown) => {
        st.retryAt = monotonicMs() + this.o.negativeTtlMs;
        if (this.o.signal?.aborted) return;
        this.metrics.add('kube_api_errors');
        const kept = st.pod !== undefined ? 'keeping the metadata cached before' : 'records go on with the file-name metadata';
        this.log.warn(`kubernetes: metadata of pod ${namespace}/${pod}: ${errorLine(err)}; ${kept}, next try in ${this.o.negativeTtlMs >= 1000 ? `${Math.round(this.o.negativeTtlMs / 1000)}s` : `${this.o.negativeTtlMs}ms`}`);
      },
    ).finally(() => {
      st.inflight = undefined;
    });
  }

  private waitFor(st: PodState): PodState | Promise<PodState> {
    if (st.inflight === undefined || this.o.waitTimeoutMs <= 0) return st;
    return new Promise<PodState>((resolve) => {
      const timer = setTimeout(() => resolve(st), this.o.waitTimeoutMs);
      st.inflight!.then(() => {
        clearTimeout(timer);
        resolve(st);
      });
    });
  }

  /** Lookups still running (tests, shutdown). */
  pending(): Promise<void>[] {
    const out: Promise<void>[] = [];
    for (const st of this.pods.values()) if (st.inflight) out.push(st.inflight);
    return out;
  }
}

export type { PodState };
