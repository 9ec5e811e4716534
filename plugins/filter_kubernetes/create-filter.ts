import type { FilterInstance, PluginContext } from '../../src/engine/types.js';
import { ConfigError } from '../../src/errors.js';
import type { Parser } from '../../src/parsers/types.js';
import { readConfig } from './config.js';
import { KubernetesFilter } from './filter.js';
import { MetaCache } from './meta-cache.js';
import { createTagReader } from './tag-meta.js';

function parserOption(ctx: PluginContext, key: string, name: string | undefined): Parser | undefined {
  if (name === undefined) return undefined;
  const p = ctx.parsers.get(name);
  if (!p) {
    throw new ConfigError(`filter kubernetes: ${key} '${name}' is not a defined parser`, ctx.options.pos(key),
      { hint: `define it under parsers:, or use one of ${ctx.parsers.names().join(', ')}` });
  }
  return p;
}

/** Build the filter: from the tag alone (use_tag_for_meta), or with a Kubernetes API client and its cache. */
export async function createKubernetesFilter(ctx: PluginContext): Promise<FilterInstance> {
  const cfg = readConfig(ctx.options);
  const readTag = createTagReader(cfg.tagPrefix, parserOption(ctx, 'regex_parser', cfg.regexParser));
  const mergeParser = parserOption(ctx, 'merge_parser', cfg.mergeParser);
  const merge = cfg.mergeLog
    ? { key: cfg.mergeLogKey, trim: cfg.mergeLogTrim, keepLog: cfg.keepLog, parser: mergeParser }
    : undefined;
  const parts = {
    readTag,
    merge,
    metaOptions: { labels: cfg.labels, annotations: cfg.annotations, ownerReferences: cfg.ownerReferences },
    cacheUseDockerId: cfg.cacheUseDockerId,
    props: { allowParser: cfg.k8sLoggingParser, allowExclude: cfg.k8sLoggingExclude, parsers: ctx.parsers },
    log: ctx.log,
    metrics: ctx.metrics,
  };
  if (cfg.useTagForMeta) return new KubernetesFilter(parts);

  const url = cfg.useKubelet ? `https://${cfg.kubeletHost.includes(':') ? `[${cfg.kubeletHost}]` : cfg.kubeletHost}:${cfg.kubeletPort}` : cfg.kubeUrl;
  try {
    new URL(url);
  } catch (err) {
    throw new ConfigError(`filter kubernetes: kube_url '${url}' is not a URL`, ctx.options.pos('kube_url'),
      { hint: 'write it as https://host:port', cause: err });
  }
  // the API client (and undici) loads only when the filter talks to the API
  const { KubeClient } = await import('./kube-client.js');
  const client = new KubeClient({
    url,
    kubelet: cfg.useKubelet,
    caFile: cfg.caFile,
    tokenFile: cfg.tokenFile,
    tokenTtlMs: cfg.tokenTtlMs,
    tlsVerify: cfg.tlsVerify,
    servername: cfg.tlsVhost,
    timeoutMs: cfg.ioTimeoutMs,
    maxBytes: cfg.bufferSize,
  }, ctx.log);
  const abort = new AbortController();
  const signal = AbortSignal.any([ctx.signal, abort.signal]);
  const cache = new MetaCache((ns, pod) => client.getPod(ns, pod, signal), {
    cacheTtlMs: cfg.cacheTtlMs,
    negativeTtlMs: cfg.negativeTtlMs,
    waitTimeoutMs: cfg.waitTimeoutMs,
    signal,
  }, ctx.log, ctx.metrics);
  return new KubernetesFilter({ ...parts, cache, client, abort });
}
