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
import { registerConfigSecrets } from './secrets.js';
import { checkService, SERVICE_OPTIONS, serviceConfig, type ServiceConfig } from './service.js';
import type { PluginOptions, RawEntry, RawSection } from './types.js';
import { compareText } from '../text-order.js';

/** One configured plugin instance, validated. */
export interface PluginConfig {
  kind: PluginKind;
  def: PluginDefinition;
  /** The name as written (`es`), and the definition's own name is def.name. */
  name: string;
  /** `alias`, else `<name>.<n>`, n counting the instances of the same kind in order (`tail.0`, `es.0`, `stdout.1`), as Fluent Bit. */
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
  /** A pipeline and service keys from command-line flags (`-i dummy -p rate=5 -o stdout -f 1`). */
  flags?: FlagSettings;
}

/** Settings given as flags: their sections come before the file's, the file's service keys win (as in Fluent Bit). */
export interface FlagSettings {
  sections: readonly RawSection[];
  service: readonly RawEntry[];
}

/** Where a configuration given only as flags says it comes from. */
export const COMMAND_LINE = '<command line>';

/**
 * Load, validate and type a configuration file and/or a pipeline from flags. Every error found
 * is returned, sorted by place.
 */
export function loadConfig(file: string | undefined, opts: LoadOptions): LoadResult {
  const plugins = opts.plugins ?? PLUGINS;
  const yaml = file !== undefined ? loadRaw(file, opts.env) : { sections: [], errors: [], files: [COMMAND_LINE], format: 'yaml' as const };
  registerConfigSecrets([...(opts.flags?.sections ?? []), ...yaml.sections], plugins, opts.env);
  const errors = [...yaml.errors];
  const warnings: ConfigError[] = [];
  if (yaml.files.length === 0) return { errors: sortErrors(errors), warnings };
  const baseDir = file !== undefined ? dirname(resolve(file)) : process.cwd();
  const flags = opts.flags ?? { sections: [], service: [] };
  const sections = [...flags.sections, ...yaml.sections];

  const fileService = yaml.sections.filter((s) => s.kind === 'service').flatMap((s) => s.entries);
  const serviceSection: RawSection = {
    kind: 'service',
    name: '',
    entries: [...serviceFromFlags(flags.service, fileService), ...fileService],
    pos: { file: file ?? COMMAND_LINE, line: 1, col: 1 },
  };
  const svc = resolveOptions(serviceSection, SERVICE_OPTIONS, "'service'");
  errors.push(...svc.errors);
  errors.push(...checkService(svc.options));

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

  // instances are numbered per kind in the order written, as Fluent Bit names them (tail.0, kubernetes.0, es.0, stdout.1)
  const counts: Record<PluginKind, number> = { input: 0, filter: 0, output: 0 };
  const ids = new Set<string>();
  const out: Record<PluginKind, PluginConfig[]> = { input: [], filter: [], output: [] };
  for (const s of sections) {
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
    const n = counts[s.kind]++;
    const id = r.options.optStr('alias') ?? `${name}.${n}`;
    // unique per kind, as in Fluent Bit (an http input and an http output are both http.0)
    if (ids.has(`${s.kind}:${id}`)) errors.push(new ConfigError(`${label}: alias '${id}' is used twice`, r.options.pos('alias') ?? s.pos));
    ids.add(`${s.kind}:${id}`);
    const pc: PluginConfig = { kind: s.kind, def, name: s.name, id, options: r.options, pos: s.pos };
    if (s.kind === 'output' && parseRetryLimit(r.options.str('retry_limit')) === undefined) {
      errors.push(new ConfigError(`${label}: 'retry_limit' expects a number, no_limits, false or no_retries, got '${r.options.str('retry_limit')}'`, r.options.pos('retry_limit')));
    }
    out[s.kind].push(pc);
  }
  // one input and one output: an output without a match takes everything (Fluent Bit's 1:1 rule)
  const written = (kind: PluginKind) => sections.filter((x) => x.kind === kind).length;
  const oneToOne = written('input') === 1 && written('output') === 1;
  for (const pc of [...out.filter, ...out.output]) matchOf(pc, `${pc.kind} '${pc.name}'`, errors, oneToOne && pc.kind === 'output');
  const classic = yaml.format === 'classic';
  const top = file !== undefined ? { file, line: 1, col: 1 } : undefined;
  if (!written('input') && yaml.errors.length === 0) {
    errors.push(new ConfigError('the pipeline has no inputs', top, { hint: file === undefined ? 'add one with -i NAME' : classic ? 'add an [INPUT] section' : "add one under 'pipeline: inputs:'" }));
  }
  if (!written('output') && yaml.errors.length === 0) {
    errors.push(new ConfigError('the pipeline has no outputs', top,
      { hint: file === undefined ? 'add one with -o NAME, e.g. -o stdout' : classic ? 'add an [OUTPUT] section, e.g. Name stdout, Match *' : "add one under 'pipeline: outputs:', e.g. name: stdout, match: '*'" }));
  }

  if (errors.length > 0) return { errors: sortErrors(errors), warnings };
  return {
    config: {
      file: file ?? COMMAND_LINE,
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

function matchOf(pc: PluginConfig, label: string, errors: ConfigError[], matchAll: boolean): void {
  const o = pc.options;
  const re = o.optStr('match_regex');
  const m = o.optStr('match') ?? (re === undefined && matchAll ? '*' : undefined);
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

/** Service keys from flags, less those the file sets too (the file's value wins, as in Fluent Bit; repeatable keys add up). */
function serviceFromFlags(flagEntries: readonly RawEntry[], fileEntries: readonly RawEntry[]): RawEntry[] {
  const inFile = new Set(fileEntries.map((e) => e.key));
  const multi = new Set(SERVICE_OPTIONS.filter((o) => o.type === 'multi').map((o) => o.key));
  return flagEntries.filter((e) => multi.has(e.key) || !inFile.has(e.key));
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
      return compareText(pa.file, pb.file) || pa.line - pb.line || pa.col - pb.col;
    });
}

