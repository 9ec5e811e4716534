import { isAbsolute, resolve } from 'node:path';
import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { ConfigError } from '../../src/errors.js';
import { didYouMean } from '../../src/config/suggest.js';
import type { MultilineParser } from '../../src/parsers/multiline/compile.js';
import { builtinMultiline, builtinMultilineParsers } from '../../src/parsers/multiline/registry.js';
import type { Parser, ParserLookup } from '../../src/parsers/types.js';

/** The tail input's keys, as Fluent Bit spells them (plus `multiline.flush`). */
export const TAIL_OPTIONS: readonly OptionSpec[] = [
  { key: 'path', type: 'list', required: true, desc: 'Files to read: comma-separated glob patterns (*, ?, [..]); symlinks are followed.' },
  { key: 'exclude_path', type: 'list', desc: 'Shell patterns (matched against the whole path) of files not to read, e.g. *.gz,*.zip.' },
  { key: 'key', type: 'string', default: 'log', desc: 'Record key of a line when no parser applies.' },
  { key: 'read_from_head', type: 'bool', default: 'off', desc: 'Files found at start without a db offset are read from the head instead of the end.' },
  { key: 'read_newly_discovered_files_from_head', type: 'bool', default: 'on', desc: 'Files that appear while running are read from the head.' },
  { key: 'refresh_interval', type: 'time', default: '60', desc: 'How often the path patterns are expanded again to find new files.' },
  { key: 'watcher_interval', type: 'time', default: '2s', desc: 'How often files are checked for growth, rotation, truncation and deletion (file events also wake the reader).' },
  { key: 'inotify_watcher', type: 'bool', default: 'on', desc: 'Use file change events (fs.watch) besides polling; off: poll only.' },
  { key: 'rotate_wait', type: 'time', default: '5', desc: 'After a file is rotated away or deleted, keep reading it this long (and to its end) before closing it.' },
  { key: 'ignore_older', type: 'time', default: '0', desc: 'Skip files last modified longer ago than this when they are found (0: read all).' },
  { key: 'buffer_chunk_size', type: 'size', default: '32k', min: 1, desc: 'Initial per-file line buffer; Wren reads in larger blocks and uses this as the floor.' },
  { key: 'buffer_max_size', type: 'size', default: '32k', min: 1, desc: 'Longest line accepted; longer lines follow skip_long_lines / truncate_long_lines, else the file is no longer read.' },
  { key: 'skip_long_lines', type: 'bool', default: 'off', desc: 'Skip lines longer than buffer_max_size (counted and logged) and keep reading the file.' },
  { key: 'truncate_long_lines', type: 'bool', default: 'off', desc: 'Keep the first buffer_max_size bytes of longer lines (at a UTF-8 boundary), drop the rest (counted and logged).' },
  { key: 'skip_empty_lines', type: 'bool', default: 'off', desc: 'Skip empty lines.' },
  { key: 'exit_on_eof', type: 'bool', default: 'off', desc: 'Finish when every file found at start has been read to its end (bounded runs, tests).' },
  { key: 'path_key', type: 'string', desc: "Add the file's path to each record under this key." },
  { key: 'offset_key', type: 'string', desc: "Add the line's byte offset in its file to each record under this key." },
  { key: 'parser', type: 'string', desc: 'Parser applied to each line (when no multiline.parser is set); lines it does not match are kept as text.' },
  { key: 'multiline.parser', type: 'list', desc: 'Container formats to parse and rejoin (docker, cri), then multiline parsers joining records such as stack traces (go, java, python, ruby, or a multiline_parsers: name), each tried in the order given.' },
  { key: 'multiline.flush', type: 'time', default: '4s', desc: 'Emit a partial container line whose remaining parts have not arrived after this long.' },
  { key: 'db', type: 'string', desc: "SQLite file keeping each file's offset, in Fluent Bit's schema (either agent resumes from the other's); a restart resumes where it left off, also after rotations while Wren was down." },
  { key: 'db.sync', type: 'string', default: 'normal', enum: ['off', 'normal', 'full', 'extra'], desc: 'db durability: off (no fsync), normal (fsync each db write), full/extra (and its folder, so the rename survives a power loss).' },
  { key: 'db.compare_filename', type: 'bool', default: 'off', desc: 'Resume a db entry only for the same inode under the same name (no finding files again after a rename).' },
  { key: 'db.locking', type: 'bool', default: 'off', desc: 'Accepted for Fluent Bit compatibility: Wren replaces the db file atomically on each write, so readers never see it half-written; it holds no lock.' },
  { key: 'db.journal_mode', type: 'string', default: 'WAL', enum: ['DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'WAL', 'OFF'], desc: "Accepted for Fluent Bit compatibility: Wren reads a db in any mode (a WAL left by Fluent Bit is applied) and writes whole snapshots, which need no journal." },
];

export type LongLinePolicy = 'stop' | 'skip' | 'truncate';
export type ContainerFormat = 'docker' | 'cri';
export type DbSync = 'off' | 'normal' | 'full' | 'extra';

/** Options resolved for the running input: absolute paths, numbers in bytes and ms. */
export interface TailConfig {
  paths: string[];
  exclude: string[];
  key: string;
  readFromHead: boolean;
  readNewFromHead: boolean;
  refreshMs: number;
  watcherMs: number;
  fsEvents: boolean;
  rotateWaitMs: number;
  ignoreOlderMs: number;
  /** Longest line (bytes, without its newline). */
  maxLine: number;
  longLines: LongLinePolicy;
  skipEmpty: boolean;
  exitOnEof: boolean;
  pathKey?: string;
  offsetKey?: string;
  parser?: Parser;
  multiline: ContainerFormat[];
  multilineFlushMs: number;
  /** Language / user multiline parsers applied after the container join (go, java, …), in the order given. */
  multilineStage: MultilineParser[];
  db?: string;
  dbSync: DbSync;
  dbCompareName: boolean;
}

export function readTailConfig(o: PluginOptions, baseDir: string, parsers: ParserLookup): TailConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const multiline: ContainerFormat[] = [];
  const stage: MultilineParser[] = [];
  for (const name of o.list('multiline.parser')) {
    const n = name.toLowerCase();
    if (n === 'docker' || n === 'cri') {
      if (!multiline.includes(n)) multiline.push(n);
      continue;
    }
    const p = multilineParser(parsers, name);
    if (p === undefined) {
      const known = ['docker', 'cri', ...(parsers.multiline?.names() ?? builtinMultilineParsers().keys())];
      throw new ConfigError(`tail: multiline.parser '${name}' is not defined${didYouMean(name, known)}`, o.pos('multiline.parser'), {
        hint: `use ${[...known].join(', ')}, or define it under multiline_parsers:`,
      });
    }
    if (!stage.includes(p)) stage.push(p);
  }
  let parser: Parser | undefined;
  const parserName = o.optStr('parser');
  if (parserName !== undefined) {
    parser = parsers.get(parserName);
    if (!parser) {
      throw new ConfigError(`tail: parser '${parserName}' is not defined`, o.pos('parser'), {
        hint: `define it under parsers:, or use one of ${parsers.names().join(', ') || 'the built-in parsers'}`,
      });
    }
  }
  const maxLine = Math.max(o.num('buffer_max_size'), o.num('buffer_chunk_size'));
  const dbPath = o.optStr('db');
  return {
    paths: o.list('path').map(abs),
    exclude: o.list('exclude_path'),
    key: o.str('key'),
    readFromHead: o.bool('read_from_head'),
    readNewFromHead: o.bool('read_newly_discovered_files_from_head'),
    refreshMs: Math.max(10, o.num('refresh_interval')),
    watcherMs: Math.max(10, o.num('watcher_interval')),
    fsEvents: o.bool('inotify_watcher'),
    rotateWaitMs: o.num('rotate_wait'),
    ignoreOlderMs: o.num('ignore_older'),
    maxLine,
    longLines: o.bool('truncate_long_lines') ? 'truncate' : o.bool('skip_long_lines') ? 'skip' : 'stop',
    skipEmpty: o.bool('skip_empty_lines'),
    exitOnEof: o.bool('exit_on_eof'),
    pathKey: o.optStr('path_key'),
    offsetKey: o.optStr('offset_key'),
    parser,
    multiline,
    multilineFlushMs: Math.max(1, o.num('multiline.flush')),
    multilineStage: stage,
    db: dbPath === undefined ? undefined : abs(dbPath),
    dbSync: (o.optStr('db.sync') ?? 'normal').toLowerCase() as DbSync,
    dbCompareName: o.bool('db.compare_filename'),
  };
}

/** A multiline parser by name: the config's (or built-in, through the lookup), else a built-in. */
function multilineParser(parsers: ParserLookup, name: string): MultilineParser | undefined {
  return parsers.multiline !== undefined ? parsers.multiline.get(name) : builtinMultiline(name);
}
