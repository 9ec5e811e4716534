import type { Parser } from '../../src/parsers/types.js';

/** What the container log file name says. */
export interface FileMeta {
  pod_name: string;
  namespace_name: string;
  container_name?: string;
  docker_id?: string;
}

/** Fluent Bit's KUBE_TAG_TO_REGEX: `<pod>_<namespace>_<container>-<64 hex id>.log`. */
const FILE_NAME = /(?<pod>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)_(?<ns>[^_]+)_(?<container>.+)-(?<id>[a-z0-9]{64})\.log$/;

/**
 * A tag without the expected prefix (e.g. a tail path elsewhere than /var/log/containers): take
 * the file name as the part after the last `.` before the first `_`, that is assume a pod name
 * without dots (Fluent Bit would cut a prefix-long piece off whatever the tag is).
 */
function fileNamePart(tag: string): string {
  const us = tag.indexOf('_');
  if (us < 0) return tag;
  return tag.slice(tag.lastIndexOf('.', us) + 1);
}

/**
 * Reads the metadata from a tag: the part after `kube_tag_prefix` (see fileNamePart when it does
 * not start with it) through the file-name regex, or through a `regex_parser` whose fields are
 * named pod_name, namespace_name, container_name and docker_id. Null when the tag does not match
 * (Fluent Bit then leaves the records alone) or names no pod and namespace.
 */
export function createTagReader(prefix: string, parser?: Parser): (tag: string) => FileMeta | null {
  return (tag) => {
    const rest = prefix !== '' && tag.startsWith(prefix) ? tag.slice(prefix.length) : fileNamePart(tag);
    if (parser) {
      const r = parser.parse(rest);
      if (!r) return null;
      const f = r.record;
      if (typeof f.pod_name !== 'string' || typeof f.namespace_name !== 'string') return null;
      const meta: FileMeta = { pod_name: f.pod_name, namespace_name: f.namespace_name };
      if (typeof f.container_name === 'string') meta.container_name = f.container_name;
      if (typeof f.docker_id === 'string') meta.docker_id = f.docker_id;
      return meta;
    }
    const m = FILE_NAME.exec(rest);
    if (!m) return null;
    const g = m.groups!;
    return { pod_name: g.pod!, namespace_name: g.ns!, container_name: g.container!, docker_id: g.id! };
  };
}
