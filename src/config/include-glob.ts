import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Synchronous glob(3) for `@INCLUDE inputs/*.conf` (the config loader is synchronous): `*`, `?`
 * and `[...]` within one path segment, a leading `.` matched only explicitly. Returns the regular
 * files that match, sorted (Fluent Bit asks glob(3) not to sort, so its order is the directory's;
 * sorted is the same on every machine).
 */

const MAGIC = /[*?[]/;

export function hasGlobMagic(path: string): boolean {
  return MAGIC.test(path);
}

export function globFiles(absPattern: string): string[] {
  const segments = absPattern.split('/');
  let paths = [segments[0] === '' ? '/' : segments[0]!];
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg === '') continue;
    const next: string[] = [];
    if (!MAGIC.test(seg)) {
      for (const p of paths) next.push(join(p, seg));
    } else {
      const re = segmentRegex(seg);
      for (const p of paths) {
        let names: string[];
        try {
          names = readdirSync(p);
        } catch {
          continue;
        }
        for (const n of names.sort()) if (re.test(n)) next.push(join(p, n));
      }
    }
    paths = next;
  }
  return paths.filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

function segmentRegex(seg: string): RegExp {
  let out = seg[0] === '.' ? '' : '(?!\\.)';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, close);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}
