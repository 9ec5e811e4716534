import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { ConfigError } from '../../src/errors.js';
import type { EntryView } from './records.js';

/** The systemd input's keys, as Fluent Bit spells them (plus `journalctl`). */
export const SYSTEMD_OPTIONS: readonly OptionSpec[] = [
  { key: 'path', type: 'string', desc: 'Journal folder to read (e.g. /var/log/journal, or /run/log/journal); a .journal file works too. Default: the system journal.' },
  { key: 'systemd_filter', type: 'multi', desc: 'FIELD=value an entry must have, e.g. _SYSTEMD_UNIT=kubelet.service; repeatable.' },
  { key: 'systemd_filter_type', type: 'string', default: 'or', enum: ['or', 'and'], desc: 'or: an entry matching any systemd_filter is read; and: only one matching all of them.' },
  { key: 'read_from_tail', type: 'bool', default: 'off', desc: 'Without a db cursor, start at the end of the journal (new entries only) instead of its head.' },
  { key: 'db', type: 'string', desc: 'File keeping the journal cursor of the last delivered entry, so a restart resumes after it.' },
  { key: 'db.sync', type: 'string', default: 'normal', enum: ['off', 'normal', 'full', 'extra'], desc: 'db durability: off (no fsync), normal (fsync the file), full/extra (and its folder).' },
  { key: 'max_fields', type: 'int', default: 8000, min: 1, desc: 'Fields kept per entry at most.' },
  { key: 'max_entries', type: 'int', default: 5000, min: 1, desc: 'Entries per batch at most.' },
  { key: 'strip_underscores', type: 'bool', default: 'off', desc: 'Drop the leading underscore of field names (_PID → PID).' },
  { key: 'lowercase', type: 'bool', default: 'off', desc: 'Lowercase field names.' },
  { key: 'journalctl', type: 'string', default: 'journalctl', desc: 'The journalctl program Wren reads the journal through (its export format); a name on PATH or a path.' },
];

export type DbSync = 'off' | 'normal' | 'full' | 'extra';

export interface SystemdConfig {
  /** `--directory` or `--file` with the path; none: the system journal. */
  source: { kind: 'directory' | 'file'; path: string } | { kind: 'system' };
  /** journalctl match arguments (`FIELD=value`, `+`). */
  matchArgs: string[];
  /** An exact check journalctl cannot do itself (`and` of two values of one field). */
  match?: (e: EntryView) => boolean;
  readFromTail: boolean;
  db?: string;
  dbSync: DbSync;
  maxFields: number;
  maxEntries: number;
  stripUnderscores: boolean;
  lowercase: boolean;
  journalctl: string;
}

/** A journal field name: upper-case letters, digits and underscores, not starting with a digit (systemd's rule). */
const FIELD = /^[A-Z_][A-Z0-9_]*$/;

export function readSystemdConfig(o: PluginOptions, baseDir: string): SystemdConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  let source: SystemdConfig['source'] = { kind: 'system' };
  const path = o.optStr('path');
  if (path !== undefined) {
    const p = abs(path);
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      throw new ConfigError(`systemd: path '${path}' cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, o.pos('path'),
        { hint: 'give the journal folder, e.g. /var/log/journal', cause: err });
    }
    source = { kind: st.isDirectory() ? 'directory' : 'file', path: p };
  }
  const filters: [string, string][] = [];
  for (const f of o.list('systemd_filter')) {
    const eq = f.indexOf('=');
    const field = eq < 0 ? f : f.slice(0, eq);
    if (eq < 0 || !FIELD.test(field)) {
      throw new ConfigError(`systemd: systemd_filter '${f}' is not FIELD=value`, o.pos('systemd_filter'),
        { hint: 'write e.g. _SYSTEMD_UNIT=kubelet.service (field names are upper-case letters, digits and _)' });
    }
    filters.push([field, f.slice(eq + 1)]);
  }
  const and = o.str('systemd_filter_type') === 'and';
  const matchArgs: string[] = [];
  filters.forEach(([k, v], i) => {
    if (i > 0 && !and) matchArgs.push('+');
    matchArgs.push(`${k}=${v}`);
  });
  // journalctl ORs values of one field; `and` with a field given twice is checked here as well
  const fieldsSeen = new Set(filters.map(([k]) => k));
  const match = and && fieldsSeen.size < filters.length
    ? (e: EntryView) => filters.every(([k, v]) => e.get(k)?.includes(v) === true)
    : undefined;
  const db = o.optStr('db');
  return {
    source,
    matchArgs,
    match,
    readFromTail: o.bool('read_from_tail'),
    db: db === undefined ? undefined : abs(db),
    dbSync: o.str('db.sync') as DbSync,
    maxFields: o.num('max_fields'),
    maxEntries: o.num('max_entries'),
    stripUnderscores: o.bool('strip_underscores'),
    lowercase: o.bool('lowercase'),
    journalctl: o.str('journalctl'),
  };
}

/** journalctl's arguments: export format, following, from the cursor / the tail / the head. */
export function journalctlArgs(cfg: SystemdConfig, cursor: string | undefined): string[] {
  const args = ['--output=export', '--follow', '--no-pager'];
  if (cfg.source.kind === 'directory') args.push(`--directory=${cfg.source.path}`);
  else if (cfg.source.kind === 'file') args.push(`--file=${cfg.source.path}`);
  if (cursor !== undefined) args.push(`--after-cursor=${cursor}`, '--no-tail');
  else if (cfg.readFromTail) args.push('--lines=0');
  else args.push('--no-tail');
  return [...args, ...cfg.matchArgs];
}
