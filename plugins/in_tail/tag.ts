/**
 * A file's tag, as Fluent Bit composes it: the first `*` of the input's tag is replaced by the
 * file's path, then `/`, `\` and `:` become `.` (dropped at the start), `..` collapses, other
 * `*` are dropped and a trailing `.` is removed:
 * `kube.*` + `/var/log/containers/a_b_c-1.log` → `kube.var.log.containers.a_b_c-1.log`.
 */
export function expandTag(tag: string, path: string): string {
  const star = tag.indexOf('*');
  if (star < 0) return tag;
  const raw = tag.slice(0, star) + path + tag.slice(star + 1);
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    let c = raw[i]!;
    if (c === '/' || c === '\\' || c === ':') {
      if (out.length === 0) continue;
      c = '.';
    }
    if (c === '*') continue;
    if (c === '.' && out.endsWith('.')) continue;
    out += c;
  }
  return out.endsWith('.') ? out.slice(0, -1) : out;
}
