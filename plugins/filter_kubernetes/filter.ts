import type { FilterInstance, LogEvent } from '../../src/engine/types.js';
import type { KubeClient } from './kube-client.js';
import type { MetaCache, PodState } from './meta-cache.js';
import { mergeLog, type MergeOptions } from './merge-log.js';
import { metaFromFile, metaFromPod, type MetaOptions } from './pod-meta.js';
import type { FileMeta } from './tag-meta.js';

/** What one tag resolves to, computed once per tag. */
interface TagInfo {
  file: FileMeta;
  /** The `kubernetes` map from the file name alone, shared by every record of the tag. */
  base: Record<string, unknown>;
  podKey: string;
  containerKey: string;
}

const MAX_TAGS = 10_000;

/**
 * The per-batch work of the kubernetes filter. One batch has one tag, so the tag is parsed once
 * (and cached), the pod metadata looked up once, and each record gets the same `kubernetes` map:
 * it is shared, not copied, between the records of a container (they are serialized, not edited,
 * downstream). A later filter that edits keys inside `kubernetes` must replace the map, not
 * change it in place.
 */
export class KubernetesFilter implements FilterInstance {
  private readonly tags = new Map<string, TagInfo | null>();
  private lastTag: string | undefined;
  private lastInfo: TagInfo | null = null;

  constructor(
    private readonly readTag: (tag: string) => FileMeta | null,
    private readonly merge: MergeOptions | undefined,
    private readonly metaOptions: MetaOptions,
    private readonly cacheUseDockerId: boolean,
    private readonly cache?: MetaCache,
    private readonly client?: KubeClient,
    private readonly abort?: AbortController,
  ) {}

  filter(events: LogEvent[], tag: string): LogEvent[] | Promise<LogEvent[]> {
    let info: TagInfo | null;
    if (tag === this.lastTag) info = this.lastInfo;
    else {
      const known = this.tags.get(tag);
      if (known !== undefined) info = known;
      else {
        info = this.resolveTag(tag);
        if (this.tags.size >= MAX_TAGS) this.tags.clear();
        this.tags.set(tag, info);
      }
      this.lastTag = tag;
      this.lastInfo = info;
    }
    if (info === null) return events; // not a container log tag: untouched, as Fluent Bit
    if (this.cache === undefined) return this.apply(events, info.base);
    const st = this.cache.lookup(info.podKey, info.file.namespace_name, info.file.pod_name);
    if (st instanceof Promise) {
      const i = info;
      return st.then((s) => this.apply(events, this.metaOf(i, s)));
    }
    return this.apply(events, this.metaOf(info, st));
  }

  private resolveTag(tag: string): TagInfo | null {
    const file = this.readTag(tag);
    if (file === null) return null;
    let podKey = `${file.namespace_name}/${file.pod_name}`;
    if (this.cacheUseDockerId && file.docker_id !== undefined) podKey += `/${file.docker_id}`;
    return { file, base: metaFromFile(file), podKey, containerKey: `${file.container_name ?? ''}/${file.docker_id ?? ''}` };
  }

  private metaOf(info: TagInfo, st: PodState): Record<string, unknown> {
    if (st.pod === undefined) return info.base;
    let m = st.metas.get(info.containerKey);
    if (m === undefined) {
      m = metaFromPod(info.file, st.pod, this.metaOptions);
      st.metas.set(info.containerKey, m);
    }
    return m;
  }

  private apply(events: LogEvent[], meta: Record<string, unknown>): LogEvent[] {
    const merge = this.merge;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      if (merge !== undefined) mergeLog(ev, merge);
      ev.record.kubernetes = meta;
    }
    return events;
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.client?.close();
  }
}
