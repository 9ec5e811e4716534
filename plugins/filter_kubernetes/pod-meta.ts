import type { FileMeta } from './tag-meta.js';

/** The parts of a Pod (API `v1/Pod`) the filter reads. */
export interface PodJson {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
  };
  spec?: { nodeName?: string };
  status?: {
    podIP?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

interface ContainerStatus {
  name?: string;
  containerID?: string;
  imageID?: string;
  image?: string;
}

export interface MetaOptions {
  labels: boolean;
  annotations: boolean;
  ownerReferences: boolean;
}

/**
 * Fluent Bit's extract_hash: `containerd://abc` → `abc`, `docker-pullable://repo@sha256:…` →
 * `repo@sha256:…`, `sha256:…` stays whole; undefined without a colon.
 */
export function extractHash(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const colon = s.indexOf(':');
  if (colon < 0) return undefined;
  let end = colon;
  while (s.charCodeAt(end + 1) === 47 /* / */) end++;
  return end === colon ? s : s.slice(end + 1) || undefined;
}

/** The `kubernetes` map from the file name alone (the API was not asked, or failed). */
export function metaFromFile(f: FileMeta): Record<string, unknown> {
  const m: Record<string, unknown> = { pod_name: f.pod_name, namespace_name: f.namespace_name };
  if (f.container_name !== undefined) m.container_name = f.container_name;
  if (f.docker_id !== undefined) m.docker_id = f.docker_id;
  return m;
}

/**
 * The `kubernetes` map from the file name and the pod, in Fluent Bit's key order: pod_name,
 * namespace_name, pod_id, labels, annotations, ownerReferences, host, pod_ip, container_name,
 * docker_id, container_hash, container_image.
 */
export function metaFromPod(f: FileMeta, pod: PodJson, o: MetaOptions): Record<string, unknown> {
  const md = pod.metadata ?? {};
  const m: Record<string, unknown> = { pod_name: f.pod_name, namespace_name: f.namespace_name };
  if (md.uid !== undefined) m.pod_id = md.uid;
  if (o.labels && md.labels !== undefined) m.labels = md.labels;
  if (o.annotations && md.annotations !== undefined) m.annotations = md.annotations;
  if (o.ownerReferences && md.ownerReferences !== undefined) m.ownerReferences = md.ownerReferences;
  if (pod.spec?.nodeName !== undefined) m.host = pod.spec.nodeName;
  if (pod.status?.podIP !== undefined) m.pod_ip = pod.status.podIP;
  if (f.container_name !== undefined) m.container_name = f.container_name;
  let status: ContainerStatus | undefined;
  if (f.container_name !== undefined) {
    const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
    status = all.find((s) => s?.name === f.container_name);
  }
  const dockerId = f.docker_id ?? extractHash(status?.containerID);
  if (dockerId !== undefined) m.docker_id = dockerId;
  const hash = extractHash(status?.imageID);
  if (hash !== undefined) m.container_hash = hash;
  if (typeof status?.image === 'string' && status.image !== '') m.container_image = status.image;
  return m;
}
