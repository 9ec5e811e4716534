import { dirname, resolve } from 'node:path';
import { PLUGINS } from '../../plugins/index.js';
import { compileMatch, compileMatchRegex, type TagMatcher } from '../engine/match.js';
import type { PluginDefinition, PluginKind } from '../engine/types.js';
import { ConfigError, type SourcePos } from '../errors.js';
import { buildMultilineParsers } from '../parsers/multiline/config.js';
import { buildParsers, PARSER_OPTIONS } from '../parsers/registry.js';
import type { ParserLookup } from '../parsers/types.js';
import { instanceOptions, parseRetryLimit } from './common-options.js';
import { resolveOptions } from './options-resolve.js';
import { loadRaw, type ConfigFormat } from './config-format.js';
import { missingPluginError } from './missing-plugins.js';
import { loadParsersFile, parsersFileRefs } from './parsers-file.js';
import { SERVICE_OPTIONS, serviceConfig, type ServiceConfig } from './service.js';
import type { PluginOptions, RawSection } from './types.js';

/** One configured plugin instance, validated. */
export interface PluginConfig {
  kind: PluginKind;
  def: PluginDefinition;
  /** The name as written (`es`), and the definition's own name is def.name. */
  name: string;
  /** `alias`, else `<name>.<n>` counting instances of the same plugin (`tail.0`). */
  id: string;
  options: PluginOptions;
  pos: SourcePos;
  /** Filters and outputs: which tags they take. */
  matcher?: TagMatcher;
  /** The match rule as written, for `wren check`. */
  matchText?: string;
}

export interface WrenConfig {
  file: string;
  /** The syntax the file was read in (by its extension). */
  format: ConfigFormat;
  baseDir: string;
  service: ServiceConfig;
  serviceOptions: PluginOptions;
  inputs: PluginConfig[];
  filters: PluginConfig[];
  outputs: PluginConfig[];
  parsers: ParserLookup;
  /**
   * Custom multiline parsers, raw, from the config (YAML `multiline_parsers:`, classic
   * `[MULTILINE_PARSER]`) and from its parsers files, in that order. Each is a `multiline_parser`
   * section named by its `name`, with entries `type`, `flush_timeout`, `key_content`, `parser`, …
   * and one `rules` entry whose value is `[{ state, regex, next_state }]` in either syntax.
   */
  multilineParsers: RawSection[];
}

export interface LoadResult {
  config?: WrenConfig;
  errors: ConfigError[];
  /** Things that do not stop the config from running (e.g. a missing stock parsers.conf). */
  warnings: ConfigError[];
}

export interface LoadOptions {
  env: NodeJS.ProcessEnv;
  plugins?: readonly PluginDefinition[];
  /** Parsers files given on the command line (`-R`), relative to the working directory. */
  parsersFiles?: readonly string[];
}

/** Load, validate and type a configuration file. Every error found is returned, sorted by place. */
export function loadConfig(file: string, opts: LoadOptions): LoadResult {
  const plugins = opts.plugins ?? PLUGINS;
  const yaml = loadRaw(file, opts.env);
  const errors = [...yaml.errors];
  const warnings: ConfigError[] = [];
  if (yaml.files.length === 0) return { errors: sortErrors(errors), warnings };
  const baseDir = dirname(resolve(file));

  const serviceSection: RawSection = {
    kind: 'service',
    name: '',
    entries: yaml.sections.filter((s) => s.kind === 'service').flatMap((s) => s.entries),
    pos: { file, line: 1, col: 1 },
  };
  const svc = resolveOptions(serviceSection, SERVICE_OPTIONS, "'service'");
  errors.push(...svc.errors);

  // parsers: the config's own, then those of each service.parsers_file, then of each -R file
  const parserSections = yaml.sections.filter((s) => s.kind === 'parser');
  const multilineParsers = yaml.sections.filter((s) => s.kind === 'multiline_parser');
  const files = parsersFileRefs(serviceSection.entries, baseDir);
  for (const p of opts.parsersFiles ?? []) files.push({ path: resolve(p), written: p });
  for (const f of files) {
    const more = loadParsersFile(f.path, opts.env, f.from, f.written);
    errors.push(...more.errors);
    warnings.push(...more.warnings);
    parserSections.push(...more.parsers);
    multilineParsers.push(...more.multilineParsers);
  }
  const parserEntries = [];
  for (const s of parserSections) {
    const r = resolveOptions({ ...s, entries: [{ key: 'name', value: s.name, pos: s.pos }, ...s.entries] }, PARSER_OPTIONS, `parser '${s.name}'`);
    errors.push(...r.errors);
    if (r.errors.length === 0) parserEntries.push({ options: r.options, pos: s.pos });
  }
  const parsers = buildParsers(parserEntries);
  errors.push(...parsers.errors);
  const multiline = buildMultilineParsers(multilineParsers, parsers.lookup);
  errors.push(...multiline.errors);

  const counts = new Map<string, number>();
  const ids = new Set<string>();
  const out: Record<PluginKind, PluginConfig[]> = { input: [], filter: [], output: [] };
  for (const s of yaml.sections) {
    if (s.kind !== 'input' && s.kind !== 'filter' && s.kind !== 'output') continue;
    const name = s.name.toLowerCase();
    const candidates = plugins.filter((p) => p.kind === s.kind);
    const def = candidates.find((p) => p.name === name || p.aliases?.includes(name));
    if (!def) {
      errors.push(missingPluginError(s.kind, s.name, s.pos, plugins));
      continue;
    }
    const label = `${s.kind} '${s.name}'`;
    const r = resolveOptions(s, instanceOptions(s.kind, def.options), label);
    errors.push(...r.errors);
    const n = counts.get(def.name) ?? 0;
    counts.set(def.name, n + 1);
    const id = r.options.optStr('alias') ?? `${def.name}.${n}`;
    if (ids.has(id)) errors.push(new ConfigError(`${label}: alias '${id}' is used twice`, r.options.pos('alias') ?? s.pos));
    ids.add(id);
    const pc: PluginConfig = { kind: s.kind, def, name: s.name, id, options: r.options, pos: s.pos };
    if (s.kind !== 'input') matchOf(pc, label, errors);
    if (s.kind === 'output' && parseRetryLimit(r.options.str('retry_limit')) === undefined) {
      errors.push(new ConfigError(`${label}: 'retry_limit' expects a number, no_limits, false or no_retries, got '${r.options.str('retry_limit')}'`, r.options.pos('retry_limit')));
    }
    out[s.kind].push(pc);
  }
  const classic = yaml.format === 'classic';
  const written = (kind: PluginKind) => yaml.sections.some((s) => s.kind === kind);
  if (!written('input') && yaml.errors.length === 0) {
    errors.push(new ConfigError('the pipeline has no inputs', { file, line: 1, col: 1 }, { hint: classic ? 'add an [INPUT] section' : "add one under 'pipeline: inputs:'" }));
  }
  if (!written('output') && yaml.errors.length === 0) {
    errors.push(new ConfigError('the pipeline has no outputs', { file, line: 1, col: 1 },
      { hint: classic ? 'add an [OUTPUT] section, e.g. Name stdout, Match *' : "add one under 'pipeline: outputs:', e.g. name: stdout, match: '*'" }));
  }

  if (errors.length > 0) return { errors: sortErrors(errors), warnings };
  return {
    config: {
      file,
      format: yaml.format,
      baseDir,
      service: serviceConfig(svc.options),
      serviceOptions: svc.options,
      inputs: out.input,
      filters: out.filter,
      outputs: out.output,
      parsers: { ...parsers.lookup, multiline: multiline.lookup },
      multilineParsers,
    },
    errors: [],
    warnings,
  };
}

function matchOf(pc: PluginConfig, label: string, errors: ConfigError[]): void {
  const o = pc.options;
  const re = o.optStr('match_regex');
  const m = o.optStr('match');
  if (re !== undefined && m !== undefined) {
    errors.push(new ConfigError(`${label}: set either 'match' or 'match_regex', not both`, o.pos('match_regex')));
    return;
  }
  if (re !== undefined) {
    try {
      pc.matcher = compileMatchRegex(re);
      pc.matchText = `match_regex ${re}`;
    } catch (err) {
      errors.push(new ConfigError(`${label}: 'match_regex' is not a valid regular expression: ${(err as Error).message}`, o.pos('match_regex')));
    }
    return;
  }
  if (m === undefined || m.trim() === '') {
    errors.push(new ConfigError(`${label} has no 'match', so it would receive nothing`, pc.pos, { hint: "add match: '*' or a tag pattern" }));
    return;
  }
  pc.matcher = compileMatch(m.trim());
  pc.matchText = m.trim();
}

function sortErrors(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors
    .filter((e) => {
      const line = e.toLine();
      if (seen.has(line)) return false;
      seen.add(line);
      return true;
    })
    .sort((a, b) => {
      const pa = a.pos;
      const pb = b.pos;
      if (!pa || !pb) return pa ? -1 : pb ? 1 : 0;
      return pa.file.localeCompare(pb.file) || pa.line - pb.line || pa.col - pb.col;
    });
}
