import { readdir } from 'node:fs/promises';

/**
 * Path patterns as Fluent Bit reads them: `path` is expanded like glob(3) (`*`, `?`, `[..]` within
 * one path segment; a leading `.` is only matched explicitly), `exclude_path` is matched like
 * fnmatch(3) without flags (`*` also crosses `/`, so `*.gz` excludes every .gz file).
 */

const MAGIC = /[*?[]/;

/** Translate one glob segment (or a whole fnmatch pattern) into a regex body. */
function translate(pattern: string, crossSlash: boolean): string {
  const any = crossSlash ? '.' : '[^/]';
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += `${any}*`;
    else if (c === '?') out += any;
    else if (c === '\\' && i + 1 < pattern.length) out += escapeRe(pattern[++i]!);
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else out += escapeRe(c);
  }
  return out;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** fnmatch(3) with no flags: the matcher for `exclude_path` patterns. */
export function compileExclude(pattern: string): RegExp {
  return new RegExp(`^${translate(pattern, true)}$`);
}

/** Whether a path matches any of the compiled exclude patterns. */
export function isExcluded(path: string, excludes: readonly RegExp[]): boolean {
  for (const re of excludes) if (re.test(path)) return true;
  return false;
}

/**
 * Expand an absolute glob pattern into the existing paths it names, sorted. Directories that
 * cannot be read are skipped; the caller stats the results (and keeps regular files).
 */
export async function expandGlob(pattern: string): Promise<string[]> {
  if (!MAGIC.test(pattern)) return [pattern];
  const segments = pattern.split('/');
  let current: string[] = [segments[0] === '' ? '' : segments[0]!];
  for (let s = 1; s < segments.length; s++) {
    const seg = segments[s]!;
    if (seg === '') continue;
    const next: string[] = [];
    if (!MAGIC.test(seg)) {
      for (const base of current) next.push(`${base}/${seg}`);
    } else {
      const re = new RegExp(`^${translate(seg, false)}$`);
      const dotOk = seg.startsWith('.');
      for (const base of current) {
        let names: string[];
        try {
          names = await readdir(base === '' ? '/' : base);
        } catch {
          continue; // missing, not a folder, or not readable: nothing matches there
        }
        names.sort();
        for (const n of names) {
          if ((dotOk || n[0] !== '.') && re.test(n)) next.push(`${base}/${n}`);
        }
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current.sort();
}
