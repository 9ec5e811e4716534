import type { FilterInstance, LogEvent, PluginMetrics } from '../../src/engine/types.js';
import type { Logger } from '../../src/log.js';
import { containerProps, type PropsOptions } from './annotations.js';
import type { KubeClient } from './kube-client.js';
import type { ContainerMeta, MetaCache, PodState } from './meta-cache.js';
import { mergeLog, type MergeOptions } from './merge-log.js';
import { metaFromFile, metaFromPod, type MetaOptions } from './pod-meta.js';
import type { FileMeta } from './tag-meta.js';

/** What one tag resolves to, computed once per tag. */
interface TagInfo {
  file: FileMeta;
  /** The `kubernetes` map from the file name alone, shared by every record of the tag. */
  base: ContainerMeta;
  podKey: string;
  containerKey: string;
}

export interface FilterParts {
  readTag: (tag: string) => FileMeta | null;
  merge?: MergeOptions;
  metaOptions: MetaOptions;
  cacheUseDockerId: boolean;
  /** k8s-logging.parser / k8s-logging.exclude and the parsers annotations may name. */
  props: PropsOptions;
  log: Logger;
  metrics: PluginMetrics;
  /** Absent with use_tag_for_meta: the file name is all there is. */
  cache?: MetaCache;
  client?: KubeClient;
  abort?: AbortController;
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
  private readonly warnedParsers = new Set<string>();

  constructor(private readonly p: FilterParts) {}

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
    const cache = this.p.cache;
    if (cache === undefined) return this.apply(events, info.base);
    const st = cache.lookup(info.podKey, info.file.namespace_name, info.file.pod_name);
    if (st instanceof Promise) {
      const i = info;
      return st.then((s) => this.apply(events, this.metaOf(i, s)));
    }
    return this.apply(events, this.metaOf(info, st));
  }

  private resolveTag(tag: string): TagInfo | null {
    const file = this.p.readTag(tag);
    if (file === null) return null;
    let podKey = `${file.namespace_name}/${file.pod_name}`;
    if (this.p.cacheUseDockerId && file.docker_id !== undefined) podKey += `/${file.docker_id}`;
    return { file, base: { meta: metaFromFile(file) }, podKey, containerKey: `${file.container_name ?? ''}/${file.docker_id ?? ''}` };
  }

  private metaOf(info: TagInfo, st: PodState): ContainerMeta {
    if (st.pod === undefined) return info.base;
    let m = st.metas.get(info.containerKey);
    if (m === undefined) {
      const f = info.file;
      m = {
        meta: metaFromPod(f, st.pod, this.p.metaOptions),
        props: containerProps(st.pod.metadata?.annotations, f.container_name, this.p.props, (name) => {
          const key = `${f.namespace_name}/${f.pod_name}/${name}`;
          if (this.warnedParsers.has(key)) return;
          this.warnedParsers.add(key);
          this.p.log.warn(`kubernetes: pod ${f.namespace_name}/${f.pod_name} asks for parser '${name}' (fluentbit.io/parser), which is not defined; merging as JSON (define it under parsers:)`);
        }),
      };
      st.metas.set(info.containerKey, m);
    }
    return m;
  }

  private apply(events: LogEvent[], cm: ContainerMeta): LogEvent[] {
    const merge = this.p.merge;
    const meta = cm.meta;
    const props = cm.props;
    if (props === undefined) {
      for (let i = 0; i < events.length; i++) {
        const ev = events[i]!;
        if (merge !== undefined) mergeLog(ev, merge);
        ev.record.kubernetes = meta;
      }
      return events;
    }
    // A pod with fluentbit.io/ annotations: per stream, drop records or pick the parser.
    let w = 0;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      const stream = ev.record.stream;
      let exclude: boolean;
      let parser;
      if (stream === 'stdout') {
        exclude = props.stdoutExclude;
        parser = props.stdoutParser;
      } else if (stream === 'stderr') {
        exclude = props.stderrExclude;
        parser = props.stderrParser;
      } else {
        exclude = props.stdoutExclude && props.stderrExclude;
        parser = props.stdoutParser === props.stderrParser ? props.stdoutParser : undefined;
      }
      if (exclude) continue;
      if (merge !== undefined) mergeLog(ev, merge, parser ?? merge.parser);
      ev.record.kubernetes = meta;
      events[w++] = ev;
    }
    if (w < events.length) {
      this.p.metrics.add('excluded_records', events.length - w);
      events.length = w;
    }
    return events;
  }

  async stop(): Promise<void> {
    this.p.abort?.abort();
    await this.p.client?.close();
  }
}
