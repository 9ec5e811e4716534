import type { OptionSpec, PluginOptions } from '../../src/config/types.js';

export const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The filter's keys, as Fluent Bit spells them (plus kube_meta_wait_timeout, Wren's own). */
export const KUBERNETES_OPTIONS: readonly OptionSpec[] = [
  { key: 'kube_tag_prefix', type: 'string', default: 'kube.var.log.containers.', desc: 'Tag prefix before the container log file name (the tail input\'s tag with the path folded in); a tag without it is read from its last dot-free <pod>_<namespace>_ part.' },
  { key: 'regex_parser', type: 'string', desc: 'Parser (from parsers:) that reads pod_name, namespace_name, container_name and docker_id from the tag instead of the default file-name regex.' },
  { key: 'merge_log', type: 'bool', default: 'off', desc: 'When the log field holds a JSON object (or merge_parser matches), add its fields to the record.' },
  { key: 'merge_log_key', type: 'string', desc: 'Put the merged fields under this key instead of at the top level.' },
  { key: 'merge_log_trim', type: 'bool', default: 'on', desc: 'Trim trailing newlines (and literal \\n, \\r) from merged string values.' },
  { key: 'merge_parser', type: 'string', desc: 'Parser for the log field instead of JSON when merging.' },
  { key: 'keep_log', type: 'bool', default: 'on', desc: 'Keep the log field after it was merged.' },
  { key: 'use_tag_for_meta', type: 'bool', default: 'off', desc: 'Use only the metadata from the tag (file name); never call the Kubernetes API.' },
  { key: 'kube_url', type: 'string', default: 'https://kubernetes.default.svc:443', desc: 'Kubernetes API server URL.' },
  { key: 'kube_ca_file', type: 'string', default: `${SA_DIR}/ca.crt`, desc: 'CA certificate (PEM) of the API server.' },
  { key: 'kube_token_file', type: 'string', default: `${SA_DIR}/token`, desc: 'Service account token file, sent as a bearer token.' },
  { key: 'kube_token_ttl', type: 'time', default: '10m', desc: 'Re-read kube_token_file after this long (projected tokens rotate).' },
  { key: 'kube_meta_cache_ttl', type: 'time', default: '0', desc: 'Refresh a pod\'s cached metadata after this long (0: keep it); the refresh never blocks records.' },
  { key: 'kube_meta_negative_cache_ttl', type: 'time', default: '60s', desc: 'After a failed lookup, records of that pod go on with the file-name metadata for this long before the API is asked again.' },
  { key: 'kube_meta_io_timeout', type: 'time', default: '30s', desc: 'Deadline of one API request (it runs beside the pipeline, never in its way).' },
  { key: 'kube_meta_wait_timeout', type: 'time', default: '1s', desc: 'How long a batch of a pod seen for the first time may wait for its metadata; after that it goes on with the file-name metadata.' },
  { key: 'buffer_size', type: 'size', default: '0', desc: 'Largest API answer read (0: no limit; Fluent Bit\'s 32K cuts off pods with large annotations).' },
  { key: 'labels', type: 'bool', default: 'on', desc: 'Add the pod labels.' },
  { key: 'annotations', type: 'bool', default: 'on', desc: 'Add the pod annotations.' },
  { key: 'owner_references', type: 'bool', default: 'off', desc: 'Add the pod ownerReferences.' },
  { key: 'cache_use_docker_id', type: 'bool', default: 'off', desc: 'Look the pod up again when its container id changes (a restarted container).' },
  { key: 'k8s-logging.parser', type: 'bool', default: 'off', desc: 'Let pods pick the merge_log parser with the annotation fluentbit.io/parser[_stdout|_stderr][-container].' },
  { key: 'k8s-logging.exclude', type: 'bool', default: 'off', desc: 'Let pods drop their records with the annotation fluentbit.io/exclude[_stdout|_stderr][-container]: "true".' },
  { key: 'use_kubelet', type: 'bool', default: 'off', desc: 'Ask the node\'s kubelet (/pods) instead of the API server.' },
  { key: 'kubelet_host', type: 'string', default: '127.0.0.1', desc: 'Kubelet host (use_kubelet).' },
  { key: 'kubelet_port', type: 'int', default: 10250, min: 1, max: 65535, desc: 'Kubelet port (use_kubelet).' },
  { key: 'tls.verify', type: 'bool', default: 'on', desc: 'Verify the API server certificate.' },
  { key: 'tls.vhost', type: 'string', desc: 'Name to verify the API server certificate against (and send in SNI).' },
  { key: 'tls.debug', type: 'int', default: 0, desc: 'Accepted for Fluent Bit compatibility; ignored (TLS errors are logged with their cause).' },
  { key: 'dns_retries', type: 'int', default: 6, desc: 'Accepted for Fluent Bit compatibility; ignored (Wren never waits for DNS at start: lookups fail fast and are retried).' },
  { key: 'dns_wait_time', type: 'time', default: '30', desc: 'Accepted for Fluent Bit compatibility; ignored (see dns_retries).' },
];

export interface KubeConfig {
  tagPrefix: string;
  regexParser?: string;
  mergeLog: boolean;
  mergeLogKey?: string;
  mergeLogTrim: boolean;
  mergeParser?: string;
  keepLog: boolean;
  useTagForMeta: boolean;
  kubeUrl: string;
  caFile: string;
  tokenFile: string;
  tokenTtlMs: number;
  cacheTtlMs: number;
  negativeTtlMs: number;
  ioTimeoutMs: number;
  waitTimeoutMs: number;
  bufferSize: number;
  labels: boolean;
  annotations: boolean;
  ownerReferences: boolean;
  cacheUseDockerId: boolean;
  k8sLoggingParser: boolean;
  k8sLoggingExclude: boolean;
  useKubelet: boolean;
  kubeletHost: string;
  kubeletPort: number;
  tlsVerify: boolean;
  tlsVhost?: string;
}

export function readConfig(o: PluginOptions): KubeConfig {
  return {
    tagPrefix: o.optStr('kube_tag_prefix') ?? '',
    regexParser: o.optStr('regex_parser') || undefined,
    mergeLog: o.bool('merge_log'),
    mergeLogKey: o.optStr('merge_log_key') || undefined,
    mergeLogTrim: o.bool('merge_log_trim'),
    mergeParser: o.optStr('merge_parser') || undefined,
    keepLog: o.bool('keep_log'),
    useTagForMeta: o.bool('use_tag_for_meta'),
    kubeUrl: o.optStr('kube_url') ?? 'https://kubernetes.default.svc:443',
    caFile: o.optStr('kube_ca_file') ?? `${SA_DIR}/ca.crt`,
    tokenFile: o.optStr('kube_token_file') ?? `${SA_DIR}/token`,
    tokenTtlMs: o.optNum('kube_token_ttl') ?? 600_000,
    cacheTtlMs: o.optNum('kube_meta_cache_ttl') ?? 0,
    negativeTtlMs: o.optNum('kube_meta_negative_cache_ttl') ?? 60_000,
    ioTimeoutMs: o.optNum('kube_meta_io_timeout') ?? 30_000,
    waitTimeoutMs: o.optNum('kube_meta_wait_timeout') ?? 1000,
    bufferSize: o.optNum('buffer_size') ?? 0,
    labels: o.bool('labels'),
    annotations: o.bool('annotations'),
    ownerReferences: o.bool('owner_references'),
    cacheUseDockerId: o.bool('cache_use_docker_id'),
    k8sLoggingParser: o.bool('k8s-logging.parser'),
    k8sLoggingExclude: o.bool('k8s-logging.exclude'),
    useKubelet: o.bool('use_kubelet'),
    kubeletHost: o.optStr('kubelet_host') ?? '127.0.0.1',
    kubeletPort: o.optNum('kubelet_port') ?? 10250,
    tlsVerify: o.bool('tls.verify'),
    tlsVhost: o.optStr('tls.vhost') || undefined,
  };
}
