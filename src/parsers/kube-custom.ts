import type { Parser, ParseResult } from './types.js';

/**
 * Fluent Bit's stock `kube-custom` parser, written as code because its regex
 *
 *     (?<tag>[^.]+)?\.?(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)
 *     _(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<docker_id>[a-z0-9]{64})\.log$
 *
 * is not anchored and nests quantifiers over overlapping classes: a backtracking engine takes
 * quadratic to exponential time on a long tag. This gives exactly what that regex gives (the
 * leftmost match, the longest optional `tag` first: so `web-1_shop_nginx-<id>.log` reads as tag
 * `web-`, pod `1`, as in Fluent Bit) in time linear in the text.
 *
 * How the regex decides: the match starts at the first position from which it can match; from a
 * start, `tag` runs to the next `.` at most, so the candidate starts of `pod_name` are the
 * positions up to one past that dot, tried from the last one down. `pod_name` then ends at the
 * next `_` and must be a DNS subdomain; what follows must be `_<namespace>_<container>-<64 id
 * chars>.log` up to the end of the line (`$` is a line end, as Wren runs Fluent Bit regexes).
 */

const isAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isLineEnd = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

export const kubeCustomParser: Parser = {
  name: 'kube-custom',
  parse(text: string): ParseResult | null {
    const m = matchKubeCustom(text);
    if (!m) return null;
    const record: Record<string, unknown> = {};
    if (m.tag) record.tag = m.tag;
    record.pod_name = m.pod;
    record.namespace_name = m.ns;
    record.container_name = m.container;
    record.docker_id = m.id;
    return { record };
  },
};

export interface KubeCustomMatch {
  tag?: string;
  pod: string;
  ns: string;
  container: string;
  id: string;
}

export function matchKubeCustom(s: string): KubeCustomMatch | undefined {
  const n = s.length;
  // next '_' at or after i (n when none)
  const nextUs = new Int32Array(n + 1);
  nextUs[n] = n;
  for (let i = n - 1; i >= 0; i--) nextUs[i] = s.charCodeAt(i) === 95 ? i : nextUs[i + 1]!;
  // first line end at or after i (n when none): where `$` can match
  const lineEnd = new Int32Array(n + 1);
  lineEnd[n] = n;
  for (let i = n - 1; i >= 0; i--) lineEnd[i] = isLineEnd(s.charCodeAt(i)) ? i : lineEnd[i + 1]!;
  // last '_' at or before i (-1 when none)
  const prevUs = new Int32Array(n);
  for (let i = 0, last = -1; i < n; i++) {
    if (s.charCodeAt(i) === 95) last = i;
    prevUs[i] = last;
  }
  const restMemo = new Map<number, KubeCustomMatch | null>();
  const loMemo = new Map<number, number>();

  /** What follows a pod name ending at the '_' at u, or null. */
  const rest = (u: number): KubeCustomMatch | null => {
    const hit = restMemo.get(u);
    if (hit !== undefined) return hit;
    let out: KubeCustomMatch | null = null;
    const u2 = u + 1 < n ? nextUs[u + 1]! : n;
    if (u2 < n && u2 > u + 1) {
      const end = lineEnd[u2 + 1]!;
      const idStart = end - 68;
      if (idStart - 1 > u2 + 1 && s.charCodeAt(idStart - 1) === 45 && s.slice(end - 4, end) === '.log') {
        let ok = true;
        for (let i = idStart; i < end - 4; i++) if (!isAlnum(s.charCodeAt(i))) { ok = false; break; }
        if (ok) out = { pod: '', ns: s.slice(u + 1, u2), container: s.slice(u2 + 1, idStart - 1), id: s.slice(idStart, end - 4) };
      }
    }
    restMemo.set(u, out);
    return out;
  };

  /** Leftmost p such that s[p..u) holds only DNS characters without '..', '.-' or '-.' (u ends in an alnum). */
  const lo = (u: number): number => {
    const hit = loMemo.get(u);
    if (hit !== undefined) return hit;
    let p = u;
    if (u > 0 && isAlnum(s.charCodeAt(u - 1))) {
      p = u - 1;
      while (p > 0) {
        const c = s.charCodeAt(p - 1);
        const next = s.charCodeAt(p);
        if (!(isAlnum(c) || c === 45 || c === 46)) break;
        if ((c === 46 && (next === 46 || next === 45)) || (c === 45 && next === 46)) break;
        p--;
      }
    }
    loMemo.set(u, p);
    return p;
  };

  /** The largest pod start in [from, to] from which the rest matches. */
  const bestIn = (from: number, to: number): { ps: number; r: KubeCustomMatch } | undefined => {
    let ps = Math.min(to, n - 1);
    while (ps >= from) {
      const u = nextUs[ps]!;
      if (u === ps) {
        ps--; // the pod would be empty
        continue;
      }
      // every start in [groupLow, u) ends its pod at this same '_'
      const groupLow = u > 0 ? prevUs[u - 1]! + 1 : 0;
      const r = u < n ? rest(u) : null;
      if (r) {
        const low = Math.max(from, groupLow, lo(u));
        let p = Math.min(ps, u - 1);
        while (p >= low && !isAlnum(s.charCodeAt(p))) p--;
        if (p >= low) return { ps: p, r };
      }
      ps = groupLow - 1;
    }
    return undefined;
  };

  let st = 0;
  while (st < n) {
    if (s.charCodeAt(st) === 46) {
      // no tag: `\.?` takes the dot, the pod starts after it
      const b = bestIn(st + 1, st + 1);
      if (b) return { ...b.r, pod: s.slice(b.ps, nextUs[b.ps]!) };
      st++;
      continue;
    }
    let fd = s.indexOf('.', st);
    if (fd < 0) fd = n;
    const b = bestIn(st, fd < n ? fd + 1 : fd);
    if (b) {
      const tagEnd = b.ps === fd + 1 ? fd : b.ps;
      const tag = b.ps === st ? undefined : s.slice(st, tagEnd);
      return { ...b.r, pod: s.slice(b.ps, nextUs[b.ps]!), ...(tag !== undefined ? { tag } : {}) };
    }
    st = fd + 1;
  }
  return undefined;
}
