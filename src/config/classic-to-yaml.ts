import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { ConfigError } from '../errors.js';
import { parseRule } from './classic-multiline.js';
import { readClassic, type ClassicBlock, type ClassicEntry } from './classic-read.js';
import { didYouMean } from './suggest.js';

/**
 * `wren convert`: a classic configuration as the equivalent Fluent Bit YAML.
 *
 * - Includes are inlined, in reading order (one file out, nothing to keep in step); the first
 *   section taken from an included file says which file in a comment.
 * - `@SET K=V` → `env:`; `[SERVICE]` (all of them) → `service:`; `[INPUT]`/`[FILTER]`/`[OUTPUT]`
 *   → `pipeline: inputs/filters/outputs`, `name` first; `[PARSER]` → `parsers:`;
 *   `[MULTILINE_PARSER]` → `multiline_parsers:` with `rule` lines as `rules:` mappings.
 * - Keys are lower-cased; values are kept as written (`${VAR}` stays a reference) and quoted only
 *   where YAML needs it. A key repeated on consecutive lines becomes a list; a key repeated after
 *   other keys is repeated as written, so the order (which `modify` applies) is kept.
 * - Comments are kept above the key, section or `@SET` they were above.
 * - `parsers_file` paths that are relative are rewritten for the output file's directory (made
 *   absolute when that is more than one level up).
 *
 * Loading the result gives the same sections, keys and values as loading the original.
 */

export interface ConvertResult {
  yaml?: string;
  errors: ConfigError[];
}

const PIPELINE = { input: 'inputs', filter: 'filters', output: 'outputs' } as const;
const KIND: Record<string, keyof typeof PIPELINE | 'service' | 'parser' | 'multiline_parser'> = {
  service: 'service', input: 'input', inputs: 'input', filter: 'filter', filters: 'filter', output: 'output', outputs: 'output',
  parser: 'parser', multiline_parser: 'multiline_parser',
};

/** Convert `file`; `outFile` (if any) is where the YAML will be written, for relative paths. */
export function classicToYaml(file: string, outFile?: string): ConvertResult {
  const doc = readClassic(file);
  const errors = [...doc.errors];
  const mainDir = dirname(resolve(file));
  const outDir = outFile ? dirname(resolve(outFile)) : mainDir;

  const env = new YAMLMap<Scalar, Scalar>();
  for (const s of doc.sets) {
    const existing = env.items.find((p) => p.key.value === s.name);
    if (existing) existing.value = scalar(s.value);
    else env.items.push(new Pair(scalar(s.name, s.comments), scalar(s.value)));
  }
  const service = new YAMLMap();
  let serviceComments: string[] = [];
  const lists: Record<'inputs' | 'filters' | 'outputs' | 'parsers' | 'multiline_parsers', YAMLSeq> = {
    inputs: new YAMLSeq(), filters: new YAMLSeq(), outputs: new YAMLSeq(), parsers: new YAMLSeq(), multiline_parsers: new YAMLSeq(),
  };

  let lastFile = doc.blocks[0]?.pos.file;
  for (const block of doc.blocks) {
    const kind = KIND[block.header.toLowerCase()];
    const comments = [...block.comments];
    if (block.pos.includedFrom && block.pos.file !== lastFile) comments.unshift(`(from ${relative(mainDir, resolve(block.pos.file))})`);
    lastFile = block.pos.file;
    if (!kind) {
      errors.push(new ConfigError(`section [${block.header}] has no YAML equivalent in Wren${didYouMean(block.header.toUpperCase(), Object.keys(KIND).map((k) => k.toUpperCase()))}`, block.pos, { hint: 'remove it, then convert again' }));
      continue;
    }
    if (kind === 'service') {
      if (service.items.length === 0) serviceComments = comments;
      else if (comments.length) setComment(firstKeyOf(block, service), comments);
      addEntries(service, block.entries, (e) => (e.key.toLowerCase() === 'parsers_file' ? rebase(e.value, mainDir, outDir) : e.value));
      continue;
    }
    const item = new YAMLMap();
    setComment(item, comments);
    const nameEntry = block.entries.find((e) => e.key.toLowerCase() === 'name');
    if (!nameEntry) {
      errors.push(new ConfigError(`[${block.header}] section has no 'Name'`, block.pos, { hint: 'add a Name line' }));
      continue;
    }
    item.items.push(new Pair(scalar('name', nameEntry.comments), scalar(nameEntry.value)));
    const rest = block.entries.filter((e) => e !== nameEntry);
    if (kind === 'multiline_parser') addMultiline(item, rest, errors);
    else addEntries(item, rest);
    const list = kind === 'parser' ? 'parsers' : kind === 'multiline_parser' ? 'multiline_parsers' : PIPELINE[kind];
    lists[list].items.push(item);
  }
  if (errors.length > 0) return { errors };

  const root = new YAMLMap();
  if (env.items.length) root.items.push(new Pair(scalar('env'), env));
  if (service.items.length) root.items.push(new Pair(scalar('service', serviceComments), service));
  const pipeline = new YAMLMap();
  for (const k of ['inputs', 'filters', 'outputs'] as const) if (lists[k].items.length) pipeline.items.push(new Pair(scalar(k), lists[k]));
  if (pipeline.items.length) root.items.push(new Pair(scalar('pipeline'), pipeline));
  for (const k of ['parsers', 'multiline_parsers'] as const) if (lists[k].items.length) root.items.push(new Pair(scalar(k), lists[k]));

  const out = new Document(undefined, { schema: 'failsafe' });
  out.contents = root;
  out.commentBefore = ` Converted from ${relative(outDir, resolve(file)) || file} by wren convert.`;
  if (doc.trailing.length) out.comment = doc.trailing.map((c) => ` ${c}`).join('\n');
  return { yaml: out.toString({ singleQuote: true, lineWidth: 0 }), errors: [] };
}

function scalar(value: string, comments: string[] = []): Scalar {
  const s = new Scalar(value);
  setComment(s, comments);
  return s;
}

function setComment(node: Scalar | YAMLMap | undefined, comments: string[]): void {
  if (!node || comments.length === 0) return;
  const text = comments.map((c) => (c === '' ? '' : ` ${c}`)).join('\n');
  node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
}

function firstKeyOf(block: ClassicBlock, map: YAMLMap): Scalar | undefined {
  const k = block.entries[0]?.key.toLowerCase();
  return (map.items as Pair<Scalar, unknown>[]).find((p) => p.key.value === k)?.key;
}

/** Keys in order; consecutive repeats become a list, later repeats a repeated key. */
function addEntries(map: YAMLMap, entries: readonly ClassicEntry[], valueOf: (e: ClassicEntry) => string = (e) => e.value): void {
  for (let i = 0; i < entries.length; ) {
    const key = entries[i]!.key.toLowerCase();
    let j = i + 1;
    while (j < entries.length && entries[j]!.key.toLowerCase() === key) j++;
    const run = entries.slice(i, j);
    const comments = run.flatMap((e) => e.comments);
    let value: Scalar | YAMLSeq;
    if (run.length === 1) value = scalar(valueOf(run[0]!));
    else {
      const seq = new YAMLSeq();
      for (const e of run) seq.items.push(scalar(valueOf(e)));
      value = seq;
    }
    map.items.push(new Pair(scalar(key, comments), value));
    i = j;
  }
}

function addMultiline(item: YAMLMap, entries: readonly ClassicEntry[], errors: ConfigError[]): void {
  const others = entries.filter((e) => e.key.toLowerCase() !== 'rule');
  const ruleLines = entries.filter((e) => e.key.toLowerCase() === 'rule');
  const firstRule = entries.findIndex((e) => e.key.toLowerCase() === 'rule');
  addEntries(item, others.filter((e) => entries.indexOf(e) < firstRule || firstRule < 0));
  if (ruleLines.length > 0) {
    const rules = new YAMLSeq();
    for (const e of ruleLines) {
      const r = parseRule(e.value);
      if (typeof r === 'string') {
        errors.push(new ConfigError(`[MULTILINE_PARSER] rule: ${r}`, e.valuePos, { hint: 'write: rule "state" "/regex/" "next_state"' }));
        continue;
      }
      const m = new YAMLMap();
      setComment(m, e.comments);
      m.items.push(new Pair(scalar('state'), scalar(r.state)), new Pair(scalar('regex'), scalar(r.regex)));
      if (r.next_state !== undefined) m.items.push(new Pair(scalar('next_state'), scalar(r.next_state)));
      rules.items.push(m);
    }
    item.items.push(new Pair(scalar('rules'), rules));
  }
  addEntries(item, others.filter((e) => firstRule >= 0 && entries.indexOf(e) > firstRule));
}

/** A relative path written for `fromDir`, rewritten to mean the same from `toDir`. */
function rebase(path: string, fromDir: string, toDir: string): string {
  if (fromDir === toDir || isAbsolute(path) || path.includes('${')) return path;
  const abs = resolve(fromDir, path);
  const rel = relative(toDir, abs);
  return rel.startsWith('../../') ? abs : rel;
}
