import { ConfigError, type SourcePos } from '../../src/errors.js';
import { compileOnigRegex } from '../../src/parsers/onig-regex.js';
import { valueToString } from '../../src/record/accessor.js';

/** One rule or condition of the modify filter, compiled: `apply` changes the record in place. */
export type Rec = Record<string, unknown>;

const ARITY: Record<string, 1 | 2> = {
  set: 2, add: 2, remove: 1, remove_wildcard: 1, remove_regex: 1, rename: 2, hard_rename: 2, copy: 2, hard_copy: 2,
  move_to_start: 1, move_to_end: 1,
  key_exists: 1, key_does_not_exist: 1, a_key_matches: 1, no_key_matches: 1,
  key_value_equals: 2, key_value_does_not_equal: 2, key_value_matches: 2, key_value_does_not_match: 2,
};

/** Split `KEY VALUE…`: the first word, then the rest (which may hold spaces). */
export function splitArgs(id: string, op: string, text: string, pos: SourcePos): [string, string] {
  const t = text.trim();
  const sp = t.search(/\s/);
  const a = sp < 0 ? t : t.slice(0, sp);
  const b = sp < 0 ? '' : t.slice(sp).trim();
  if (a === '' || (ARITY[op] === 2 && b === '')) {
    throw new ConfigError(`filter '${id}': '${op}' needs ${ARITY[op] === 2 ? 'a key and a value' : 'a key'}, got '${t}'`, pos, {
      hint: `write it as '${op}: ${ARITY[op] === 2 ? 'KEY VALUE' : 'KEY'}'`,
    });
  }
  return [a, b];
}

function regex(id: string, text: string, pos: SourcePos): RegExp {
  try {
    return compileOnigRegex(text).regex;
  } catch (err) {
    throw new ConfigError(`filter '${id}': invalid regular expression '${text}': ${(err as Error).message}`, pos, { cause: err });
  }
}

/** `Mem.*` → matches keys starting with `Mem.`; `*` anywhere is a wildcard. */
function wildcard(pattern: string): (k: string) => boolean {
  if (!pattern.includes('*')) return (k) => k.startsWith(pattern);
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return (k) => re.test(k);
}

function matchingKeys(r: Rec, test: (k: string) => boolean): string[] {
  return Object.keys(r).filter(test);
}

export function compileRule(id: string, op: string, text: string, pos: SourcePos): (r: Rec) => void {
  const [a, b] = splitArgs(id, op, text, pos);
  switch (op) {
    case 'set': return (r) => void (r[a] = b);
    case 'add': return (r) => void (a in r || (r[a] = b));
    case 'remove': return (r) => void delete r[a];
    case 'remove_wildcard': {
      const m = wildcard(a);
      return (r) => { for (const k of matchingKeys(r, m)) delete r[k]; };
    }
    case 'remove_regex': {
      const re = regex(id, a, pos);
      return (r) => { for (const k of matchingKeys(r, (x) => re.test(x))) delete r[k]; };
    }
    case 'rename': return (r) => { if (a in r && !(b in r)) { r[b] = r[a]; delete r[a]; } };
    case 'hard_rename': return (r) => { if (a in r) { const v = r[a]; delete r[a]; r[b] = v; } };
    case 'copy': return (r) => void (a in r && !(b in r) && (r[b] = r[a]));
    case 'hard_copy': return (r) => void (a in r && (r[b] = r[a]));
    case 'move_to_start': {
      const m = wildcard(a);
      return (r) => {
        const keys = matchingKeys(r, m);
        if (keys.length === 0) return;
        const rest = Object.keys(r).filter((k) => !keys.includes(k));
        reorder(r, [...keys, ...rest]);
      };
    }
    case 'move_to_end': {
      const m = wildcard(a);
      return (r) => {
        const keys = matchingKeys(r, m);
        for (const k of keys) { const v = r[k]; delete r[k]; r[k] = v; }
      };
    }
  }
  throw new Error(`unknown modify rule ${op}`);
}

function reorder(r: Rec, keys: string[]): void {
  const vals = keys.map((k) => r[k]);
  for (const k of keys) delete r[k];
  keys.forEach((k, i) => (r[k] = vals[i]));
}

export function compileCondition(id: string, op: string, text: string, pos: SourcePos): (r: Rec) => boolean {
  const [a, b] = splitArgs(id, op, text, pos);
  switch (op) {
    case 'key_exists': return (r) => a in r;
    case 'key_does_not_exist': return (r) => !(a in r);
    case 'a_key_matches': { const re = regex(id, a, pos); return (r) => Object.keys(r).some((k) => re.test(k)); }
    case 'no_key_matches': { const re = regex(id, a, pos); return (r) => !Object.keys(r).some((k) => re.test(k)); }
    case 'key_value_equals': return (r) => valueToString(r[a]) === b;
    case 'key_value_does_not_equal': return (r) => !(a in r) || valueToString(r[a]) !== b;
    case 'key_value_matches': { const re = regex(id, b, pos); return (r) => { const v = valueToString(r[a]); return v !== undefined && re.test(v); }; }
    case 'key_value_does_not_match': { const re = regex(id, b, pos); return (r) => { const v = valueToString(r[a]); return v === undefined || !re.test(v); }; }
  }
  throw new Error(`unknown modify condition ${op}`);
}
