import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, type SourcePos } from '../errors.js';
import { lexClassic } from './classic-lex.js';
import { displayName } from './display-name.js';
import { globFiles, hasGlobMagic } from './include-glob.js';

/**
 * Reads a classic configuration and everything it `@INCLUDE`s into blocks (one per `[SECTION]`),
 * in reading order, values as written (no `${VAR}` expansion yet) and with the comments above
 * each line, so that both the loader and `wren convert` start from here.
 *
 * Includes: a relative path is taken from the including file's directory, then (as Fluent Bit
 * does for every include) from the main file's directory. A pattern (`inputs/*.conf`) includes
 * every matching file in name order and must match at least one (as in Fluent Bit). A file that
 * includes itself (directly or through others) is an error naming the cycle; a file two others
 * include (a diamond) is read once, so its sections are defined once. Keys after an `@INCLUDE`
 * belong to the section that was open before it, as in Fluent Bit.
 */

export interface ClassicEntry {
  /** As written (`Mem_Buf_Limit`). */
  key: string;
  /** As written, trimmed; `${VAR}` not expanded. */
  value: string;
  pos: SourcePos;
  valuePos: SourcePos;
  comments: string[];
}

export interface ClassicBlock {
  /** The name between the brackets, as written (`INPUT`). */
  header: string;
  pos: SourcePos;
  comments: string[];
  entries: ClassicEntry[];
}

export interface ClassicSet {
  name: string;
  value: string;
  pos: SourcePos;
  comments: string[];
}

export interface ClassicDoc {
  blocks: ClassicBlock[];
  sets: ClassicSet[];
  /** Every file read, main first, absolute. */
  files: string[];
  /** Comments after the last item of the main file. */
  trailing: string[];
  errors: ConfigError[];
}

const MAX_FILES = 1000;

interface ReadCtx {
  doc: ClassicDoc;
  rootDir: string;
  /** File → where it was included (for the "read twice" error). */
  seen: Map<string, string>;
}

export function readClassic(file: string): ClassicDoc {
  const abs = resolve(file);
  const doc: ClassicDoc = { blocks: [], sets: [], files: [], trailing: [], errors: [] };
  const ctx: ReadCtx = { doc, rootDir: dirname(abs), seen: new Map() };
  readFile(abs, ctx, [], undefined, []);
  return doc;
}

function readFile(file: string, ctx: ReadCtx, chain: readonly string[], from: SourcePos | undefined, pending: string[], ancestors: readonly string[] = []): void {
  const display = displayName(file);
  if (ancestors.includes(file)) {
    const loop = [...ancestors.slice(ancestors.indexOf(file)), file].map(displayName).join(' → ');
    ctx.doc.errors.push(new ConfigError(`include cycle: ${loop}`, from, { hint: 'remove the @INCLUDE that leads back to a file that includes it' }));
    return;
  }
  // a diamond (two files include the same third): read once, its sections defined once
  if (ctx.seen.has(file)) return;
  if (ctx.seen.size >= MAX_FILES) {
    ctx.doc.errors.push(new ConfigError(`more than ${MAX_FILES} configuration files are included`, from, { hint: 'check for a runaway @INCLUDE pattern' }));
    return;
  }
  ctx.seen.set(file, from ? `at ${from.file}:${from.line}` : 'as the main file');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    ctx.doc.errors.push(new ConfigError(`cannot read configuration file '${display}' (${code})`, from ?? { file: display, line: 1, col: 1 }, {
      hint: code === 'ENOENT' ? (from ? 'check the @INCLUDE path (relative to the including file)' : 'check the path given with -c') : undefined,
      cause: err,
    }));
    return;
  }
  ctx.doc.files.push(file);
  const at = (line: number, col: number): SourcePos => (chain.length ? { file: display, line, col, includedFrom: chain } : { file: display, line, col });
  const lexed = lexClassic(text);
  for (const e of lexed.errors) ctx.doc.errors.push(new ConfigError(e.message, at(e.line, e.col), { hint: e.hint }));

  let current: ClassicBlock | undefined;
  for (const item of lexed.items) {
    const comments = pending.length ? [...pending.splice(0), ...item.comments] : item.comments;
    const pos = at(item.line, item.col);
    switch (item.kind) {
      case 'section':
        current = { header: item.name, pos, comments, entries: [] };
        ctx.doc.blocks.push(current);
        break;
      case 'entry':
        if (!current) {
          ctx.doc.errors.push(new ConfigError(`key '${item.key}' comes before any [SECTION]`, pos, { hint: 'put it under [SERVICE], [INPUT], [FILTER] or [OUTPUT]' }));
          break;
        }
        current.entries.push({ key: item.key, value: item.value, pos, valuePos: at(item.line, item.valueCol), comments });
        break;
      case 'set':
        ctx.doc.sets.push({ name: item.name, value: item.value, pos, comments });
        break;
      case 'include': {
        const link = [`${display}:${item.line}`, ...chain];
        const targets = includeTargets(item.path, dirname(file), ctx.rootDir);
        if (typeof targets === 'string') {
          ctx.doc.errors.push(new ConfigError(targets, pos, { hint: hasGlobMagic(item.path) ? undefined : `paths are relative to the including file's directory (${displayName(dirname(file)) || '.'})` }));
          break;
        }
        // comments above the @INCLUDE line go to the first thing the included file defines
        pending.push(...comments);
        for (const t of targets) readFile(t, ctx, link, pos, pending, [...ancestors, file]);
        break;
      }
    }
  }
  if (chain.length === 0) ctx.doc.trailing.push(...pending.splice(0), ...lexed.trailing);
  else pending.push(...lexed.trailing);
}

/** The files an `@INCLUDE` names, or the reason there are none. */
function includeTargets(path: string, dir: string, rootDir: string): string[] | string {
  const bases = isAbsolute(path) ? [''] : dir === rootDir ? [dir] : [dir, rootDir];
  if (hasGlobMagic(path)) {
    for (const b of bases) {
      const hits = globFiles(b ? resolve(b, path) : path);
      if (hits.length > 0) return hits;
    }
    return `@INCLUDE pattern '${path}' matches no file`;
  }
  for (const b of bases) {
    const p = b ? resolve(b, path) : path;
    if (exists(p)) return [p];
  }
  return [bases[0] ? resolve(bases[0], path) : path];
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
