import { linearProblem, noteUnbounded } from './linear-regex.js';

/**
 * Fluent Bit regexes are Onigmo (Ruby syntax). This compiles one into a JavaScript RegExp:
 * - `/pattern/flags` (i, m = dot matches newline, x) as Fluent Bit accepts it;
 * - `^` and `$` match at line boundaries (Ruby), `\A`, `\z`, `\Z` at the text's ends;
 * - named groups `(?<name>…)` / `(?'name'…)` become plain numbered groups, their names kept in
 *   `names` (by capture index), so any name is allowed (`-`, duplicates) and a match costs no
 *   `groups` object; `\k<name>` becomes the numbered back-reference;
 * - `\h` / `\H` (hex digit), POSIX brackets (`[[:alpha:]]`), possessive quantifiers (`a*+`,
 *   treated as greedy) and atomic groups (`(?>…)`, treated as non-capturing);
 * - leading inline options `(?i)`, `(?m)`, `(?x)`.
 * Anything JavaScript cannot express throws an Error saying what. A pattern that cannot fall back
 * to V8's linear-time engine on a hostile line is remembered (src/parsers/linear-regex.ts).
 */

export interface CompiledRegex {
  regex: RegExp;
  /** Capture index → group name; undefined for unnamed groups. Index 0 is the whole match. */
  names: (string | undefined)[];
}

const POSIX: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9a-fA-F', word: '\\w', cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

function stripExtended(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    } else if (/\s/.test(c)) continue;
    out += c;
  }
  return out;
}

export function compileOnigRegex(pattern: string): CompiledRegex {
  let src = pattern;
  const flags = new Set<string>(['m']);
  let extended = false;
  const slashed = /^\/(.*)\/([imx]*)$/s.exec(src);
  if (slashed) {
    src = slashed[1]!;
    for (const f of slashed[2]!) {
      if (f === 'i') flags.add('i');
      else if (f === 'm') flags.add('s');
      else extended = true;
    }
  }
  for (;;) {
    const opt = /^\(\?([imx]+)\)/.exec(src);
    if (!opt) break;
    for (const f of opt[1]!) {
      if (f === 'i') flags.add('i');
      else if (f === 'm') flags.add('s');
      else extended = true;
    }
    src = src.slice(opt[0].length);
  }
  if (extended) src = stripExtended(src);

  const names: (string | undefined)[] = [undefined];
  const byName = new Map<string, number>();
  // First pass: number the capture groups, so `\k<name>` can refer forward too.
  {
    let inClass = false;
    for (let i = 0; i < src.length; i++) {
      const c = src[i]!;
      if (c === '\\') { i++; continue; }
      if (inClass) { if (c === ']') inClass = false; continue; }
      if (c === '[') { inClass = true; if (src[i + 1] === ']') i++; continue; }
      if (c !== '(') continue;
      if (src[i + 1] !== '?') { names.push(undefined); continue; }
      const named = /^\(\?(?:<([^>=!]+)>|'([^']+)')/.exec(src.slice(i, i + 200));
      if (named) {
        const name = named[1] ?? named[2]!;
        names.push(name);
        if (!byName.has(name)) byName.set(name, names.length - 1);
      }
    }
  }

  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) throw new Error('the pattern ends with a lone backslash');
      i++;
      if (n === 'h') out += inClass ? '0-9a-fA-F' : '[0-9a-fA-F]';
      else if (n === 'H' && !inClass) out += '[^0-9a-fA-F]';
      else if (n === 'A' && !inClass) out += '(?<![\\s\\S])';
      else if (n === 'z' && !inClass) out += '(?![\\s\\S])';
      else if (n === 'Z' && !inClass) out += '(?=\\n?(?![\\s\\S]))';
      else if (n === 'k' && src[i + 1] === '<') {
        const end = src.indexOf('>', i);
        const name = src.slice(i + 2, end);
        const idx = byName.get(name);
        if (end < 0 || idx === undefined) throw new Error(`back-reference to unknown group '${name}'`);
        out += `(?:\\${idx})`;
        i = end;
      } else out += '\\' + n;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        const cls = end > 0 ? POSIX[src.slice(i + 2, end)] : undefined;
        if (cls === undefined) throw new Error(`unknown POSIX bracket at '${src.slice(i, i + 12)}'`);
        out += cls;
        i = end + 1;
        continue;
      }
      if (c === '[') throw new Error('nested character classes are not supported');
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') { out += '^'; i++; }
      if (src[i + 1] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2, i + 200);
      const named = /^(?:<([^>=!]+)>|'([^']+)')/.exec(rest);
      if (named) {
        out += '(';
        i += 1 + named[0].length;
        continue;
      }
      if (rest.startsWith('>')) {
        out += '(?:';
        i += 2;
        continue;
      }
      if (/^[imx-]+[):]/.test(rest)) throw new Error(`inline options '(?${rest.split(/[):]/)[0]}' are only supported at the start`);
      out += '(?';
      i += 1;
      continue;
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && src[i + 1] === '+') {
      out += c; // possessive → greedy
      i++;
      continue;
    }
    out += c;
  }
  if (inClass) throw new Error('unterminated character class');
  const flagText = [...flags].join('');
  let regex: RegExp;
  try {
    regex = new RegExp(out, flagText);
  } catch (err) {
    throw new Error((err as Error).message.replace(/^Invalid regular expression: /, ''), { cause: err });
  }
  const why = linearProblem(out, flagText);
  if (why !== undefined) noteUnbounded(pattern, why);
  return { regex, names };
}
