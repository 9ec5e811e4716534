import { existsSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { ConfigError, type SourcePos } from '../errors.js';
import { formatOf, loadRaw } from './config-format.js';
import { displayName } from './display-name.js';
import type { RawEntry, RawSection } from './types.js';

/**
 * A parsers file, as `service.parsers_file` and the command line's `-R FILE` name it: classic
 * (`[PARSER]`, `[MULTILINE_PARSER]`) or YAML (`parsers:`, `multiline_parsers:`), by extension like
 * the main file. Its sections come out raw, exactly as the main file's would.
 *
 * Fluent Bit's own stock file (`parsers.conf`, shipped next to its binary) is built into Wren: a
 * `parsers.conf` that does not exist is taken as that file, with a warning, so a config that names
 * `/fluent-bit/etc/parsers.conf` runs unchanged on an image that does not have it.
 */

export interface ParsersFile {
  parsers: RawSection[];
  multilineParsers: RawSection[];
  errors: ConfigError[];
  warnings: ConfigError[];
  /** Files read (the parsers file and what it includes). */
  files: string[];
}

/** Where a parsers file named in a config is: from the config's directory, else the working directory. */
export function resolveParsersPath(path: string, baseDir: string): string {
  if (isAbsolute(path)) return path;
  const fromConfig = resolve(baseDir, path);
  if (existsSync(fromConfig)) return fromConfig;
  const fromCwd = resolve(path);
  return existsSync(fromCwd) ? fromCwd : fromConfig;
}

/** The parsers files a `service` section names, each with the line that names it. */
export function parsersFileRefs(entries: readonly RawEntry[], baseDir: string): Array<{ path: string; written: string; from?: SourcePos }> {
  const out: Array<{ path: string; written: string; from?: SourcePos }> = [];
  for (const e of entries) {
    if (e.key !== 'parsers_file' || e.invalid) continue;
    for (const v of Array.isArray(e.value) ? e.value : [e.value]) {
      const written = String(v).trim();
      out.push({ path: resolveParsersPath(written, baseDir), written, from: e.pos });
    }
  }
  return out;
}

/**
 * Load one parsers file. `from` is where it was named (the `parsers_file` line), for errors;
 * without it (`-R`), errors point at the file itself.
 */
export function loadParsersFile(file: string, env: NodeJS.ProcessEnv, from?: SourcePos, written: string = file): ParsersFile {
  const out: ParsersFile = { parsers: [], multilineParsers: [], errors: [], warnings: [], files: [] };
  const abs = resolve(file);
  const shown = displayName(abs);
  if (!existsSync(abs)) {
    const where = from ?? { file: shown, line: 1, col: 1 };
    if (basename(abs) === 'parsers.conf') {
      out.warnings.push(new ConfigError(`parsers file '${shown}' does not exist; using the Fluent Bit stock parsers built into Wren`, where,
        { hint: 'a custom parsers.conf must be present at that path' }));
    } else {
      out.errors.push(new ConfigError(`cannot read parsers file '${shown}' (ENOENT)`, where,
        { hint: !from ? 'check the path given with -R' : isAbsolute(written) ? 'check the parsers_file path' : 'a relative parsers_file is looked up next to the configuration file, then in the working directory' }));
    }
    return out;
  }
  const loaded = loadRaw(abs, env);
  out.errors.push(...loaded.errors);
  out.files.push(...loaded.files);
  const allowed = formatOf(abs) === 'yaml' ? "'parsers:' and 'multiline_parsers:'" : '[PARSER] and [MULTILINE_PARSER] sections';
  for (const s of loaded.sections) {
    if (s.kind === 'parser') out.parsers.push(s);
    else if (s.kind === 'multiline_parser') out.multilineParsers.push(s);
    else {
      const what = formatOf(abs) === 'yaml' ? `'${s.kind === 'service' ? 'service' : `pipeline: ${s.kind}s`}'` : `[${s.kind.toUpperCase()}]`;
      out.errors.push(new ConfigError(`parsers file '${shown}' holds ${what}; a parsers file holds only ${allowed}`, s.pos, { hint: 'move it to the main configuration' }));
    }
  }
  return out;
}
