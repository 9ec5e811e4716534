import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { ConfigError, type SourcePos } from '../errors.js';
import { displayName } from './display-name.js';
import { expandVars } from './env-expand.js';
import { didYouMean } from './suggest.js';
import type { RawEntry, RawSection, RawValue } from './types.js';

/**
 * Reads a Fluent Bit YAML configuration (and its `includes`) into raw sections with positions.
 * Values stay text here (as Fluent Bit reads them); typing and validation happen per plugin.
 */

export interface LoadedYaml {
  sections: RawSection[];
  errors: ConfigError[];
  /** Every file read, main first. */
  files: string[];
}

interface ParsedFile {
  file: string;
  /** The name shown in errors: relative to the working directory when below it. */
  display: string;
  doc: Document.Parsed;
  lc: LineCounter;
  /** Where this file was included from, nearest first (`main.yaml:4`); empty for the main file. */
  chain: string[];
}

const TOP_KEYS = ['env', 'includes', 'service', 'pipeline', 'parsers', 'multiline_parsers'];
const UNSUPPORTED_TOP = new Set(['plugins', 'upstream_servers', 'customs']);
const PIPELINE_KEYS = { inputs: 'input', filters: 'filter', outputs: 'output' } as const;

export function loadYaml(file: string, env: NodeJS.ProcessEnv): LoadedYaml {
  const errors: ConfigError[] = [];
  const parsed: ParsedFile[] = [];
  readRecursive(resolve(file), parsed, errors, new Set());
  if (errors.length > 0) return { sections: [], errors, files: parsed.map((p) => p.file) };

  // env sections of every file first, so any value may refer to them
  const vars = new Map<string, string>();
  for (const pf of parsed) {
    const envNode = topValue(pf, 'env');
    if (!envNode) continue;
    if (!isMap(envNode)) {
      errors.push(new ConfigError("'env' must be a mapping of NAME: value", pos(pf, envNode)));
      continue;
    }
    for (const pair of envNode.items as Pair<Node, Node>[]) {
      const k = scalarText(pair.key);
      const v = pair.value && isScalar(pair.value) ? scalarText(pair.value) : '';
      if (k) vars.set(k, expandVars(v, vars, env).value);
    }
  }

  const ctx: ConvertCtx = { vars, env, errors };
  const sections: RawSection[] = [];
  for (const pf of parsed) convertFile(pf, ctx, sections);
  return { sections, errors, files: parsed.map((p) => p.file) };
}

function readRecursive(file: string, out: ParsedFile[], errors: ConfigError[], seen: Set<string>, from?: SourcePos, chain: string[] = [], ancestors: readonly string[] = []): void {
  if (ancestors.includes(file)) {
    const loop = [...ancestors.slice(ancestors.indexOf(file)), file].map(displayName).join(' → ');
    errors.push(new ConfigError(`include cycle: ${loop}`, from, { hint: 'remove the include that leads back to a file that includes it' }));
    return;
  }
  // a diamond (two files include the same third): read once, its sections defined once
  if (seen.has(file)) return;
  seen.add(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    errors.push(new ConfigError(`cannot read configuration file '${displayName(file)}' (${code})`, from ?? { file: displayName(file), line: 1, col: 1 }, {
      hint: code === 'ENOENT' ? 'check the path given with -c or in includes' : undefined,
      cause: err,
    }));
    return;
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false, strict: false, merge: true });
  const pf: ParsedFile = { file, display: displayName(file), doc, lc, chain };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const p = lc.linePos(e.pos[0]);
      errors.push(new ConfigError(yamlMessage(e.code, e.message), withChain({ file: pf.display, line: p.line, col: p.col }, chain)));
    }
    return;
  }
  out.push(pf);
  if (doc.contents !== null && !isMap(doc.contents)) {
    errors.push(new ConfigError('the configuration must be a mapping with service / pipeline sections', pos(pf, doc.contents)));
    return;
  }
  const inc = topValue(pf, 'includes');
  if (!inc) return;
  const items = isSeq(inc) ? inc.items : [inc];
  for (const item of items as Node[]) {
    const name = isScalar(item) ? scalarText(item) : '';
    if (!name) {
      errors.push(new ConfigError("'includes' takes a list of file names", pos(pf, item)));
      continue;
    }
    const at = pos(pf, item);
    readRecursive(resolve(dirname(file), name), out, errors, seen, at, [`${pf.display}:${at.line}`, ...chain], [...ancestors, file]);
  }
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const indent = /indent|column|BLOCK_AS_IMPLICIT_KEY|MULTILINE_IMPLICIT_KEY/i.test(code + first);
  return `invalid YAML: ${first} (${indent ? 'check the indentation' : 'check the quoting and indentation'})`;
}

interface ConvertCtx {
  vars: Map<string, string>;
  env: NodeJS.ProcessEnv;
  errors: ConfigError[];
  /** Keys read through merge keys (<<) so far: capped, as alias expansion is. */
  merged?: number;
}

/** Keys a configuration may read through merge keys, all told. */
export const MAX_MERGED_KEYS = 10_000;

function convertFile(pf: ParsedFile, ctx: ConvertCtx, out: RawSection[]): void {
  const top = pf.doc.contents;
  if (!top || !isMap(top)) return;
  for (const pair of top.items as Pair<Node, Node>[]) {
    const key = scalarText(pair.key).toLowerCase();
    const p = pos(pf, pair.key);
    const value = deref(pf, pair.value);
    if (key === 'env' || key === 'includes') continue;
    if (key === 'service') {
      if (value && !isMap(value)) ctx.errors.push(new ConfigError("'service' must be a mapping of key: value", p));
      else out.push({ kind: 'service', name: '', entries: value ? mapEntries(pf, value, ctx) : [], pos: p });
    } else if (key === 'pipeline') {
      if (!value) continue;
      if (!isMap(value)) {
        ctx.errors.push(new ConfigError("'pipeline' must hold 'inputs', 'filters' and 'outputs'", p));
        continue;
      }
      for (const sub of value.items as Pair<Node, Node>[]) {
        const subKey = scalarText(sub.key).toLowerCase();
        const kind = PIPELINE_KEYS[subKey as keyof typeof PIPELINE_KEYS];
        if (!kind) {
          ctx.errors.push(new ConfigError(`unknown pipeline section '${subKey}'${didYouMean(subKey, Object.keys(PIPELINE_KEYS))}`, pos(pf, sub.key)));
          continue;
        }
        pluginList(pf, deref(pf, sub.value), kind, subKey, ctx, out);
      }
    } else if (key === 'parsers') {
      pluginList(pf, value, 'parser', key, ctx, out);
    } else if (key === 'multiline_parsers') {
      pluginList(pf, value, 'multiline_parser', key, ctx, out);
    } else if (UNSUPPORTED_TOP.has(key)) {
      ctx.errors.push(new ConfigError(`section '${key}' is not supported by Wren`, p, { hint: 'remove it' }));
    } else {
      ctx.errors.push(new ConfigError(`unknown section '${key}'${didYouMean(key, TOP_KEYS)}`, p));
    }
  }
}

function pluginList(pf: ParsedFile, node: Node | null, kind: RawSection['kind'], label: string, ctx: ConvertCtx, out: RawSection[]): void {
  if (!node) return;
  if (!isSeq(node)) {
    ctx.errors.push(new ConfigError(`'${label}' must be a list of '- name: …' items`, pos(pf, node)));
    return;
  }
  for (const written of node.items as Node[]) {
    const item = deref(pf, written);
    if (!item || !isMap(item)) {
      ctx.errors.push(new ConfigError(`each item of '${label}' must be a mapping starting with 'name:'`, pos(pf, written)));
      continue;
    }
    const entries = kind === 'multiline_parser' ? expandRules(pf, item, mapEntries(pf, item, ctx), ctx) : mapEntries(pf, item, ctx);
    const nameEntry = entries.find((e) => e.key === 'name');
    const p = pos(pf, written);
    if (!nameEntry || typeof nameEntry.value !== 'string' || nameEntry.value === '') {
      ctx.errors.push(new ConfigError(`an item of '${label}' has no 'name'`, p, { hint: `add e.g. 'name: ${kind === 'input' ? 'tail' : kind === 'output' ? 'stdout' : kind === 'filter' ? 'grep' : 'json'}'` }));
      continue;
    }
    out.push({ kind, name: nameEntry.value, entries: entries.filter((e) => e !== nameEntry), pos: p });
  }
}

/**
 * A multiline parser's `rules:` list becomes one `rule` entry per item, each at its own line (the
 * shape the classic `[MULTILINE_PARSER]` loader gives), so a bad rule is reported where it is.
 */
function expandRules(pf: ParsedFile, node: Node, entries: RawEntry[], ctx: ConvertCtx): RawEntry[] {
  if (!isMap(node)) return entries;
  const pair = (node.items as Pair<Node, Node>[]).find((p) => scalarText(p.key).toLowerCase() === 'rules');
  if (!pair || !pair.value || !isSeq(pair.value)) return entries;
  const rules: RawEntry[] = [];
  for (const item of pair.value.items as Node[]) {
    const p = pos(pf, item);
    const before = ctx.errors.length;
    rules.push({ key: 'rule', value: convertValue(pf, item, p, ctx), pos: p, invalid: ctx.errors.length > before || undefined });
  }
  // in the place of `rules:`, so the entries keep the order they were written in
  const at = entries.findIndex((e) => e.key === 'rules');
  return at === -1 ? [...entries, ...rules] : [...entries.slice(0, at), ...rules, ...entries.slice(at + 1)];
}

function mapEntries(pf: ParsedFile, written: Node, ctx: ConvertCtx, depth = 0): RawEntry[] {
  const entries: RawEntry[] = [];
  const node = deref(pf, written);
  if (!node || !isMap(node)) return entries;
  const merged: RawEntry[] = [];
  for (const pair of node.items as Pair<Node, Node>[]) {
    const keyPos = pos(pf, pair.key);
    const key = scalarText(pair.key);
    if (key === MERGE_KEY && isScalar(pair.key) && typeof pair.key.value === 'symbol') {
      // `<<: *anchor` (or a list of them): the anchored keys, unless written here (or by an earlier one)
      if (depth > 8 || (ctx.merged ?? 0) > MAX_MERGED_KEYS) {
        if (ctx.merged !== Infinity) ctx.errors.push(new ConfigError(`YAML merge keys (<<) expand too much (nested more than 8 deep, or more than ${MAX_MERGED_KEYS} keys)`, keyPos, { hint: 'write the keys out, or merge fewer anchors' }));
        ctx.merged = Infinity;
        continue;
      }
      const from = deref(pf, pair.value);
      for (const m of from && isSeq(from) ? (from.items as Node[]) : [pair.value]) {
        if (!m) continue;
        const got = mapEntries(pf, m, ctx, depth + 1);
        ctx.merged = (ctx.merged ?? 0) + got.length;
        merged.push(...got);
      }
      continue;
    }
    if (!isScalar(pair.key) || key === '') {
      ctx.errors.push(new ConfigError('a key must be plain text', keyPos));
      continue;
    }
    const valuePos = pair.value ? pos(pf, pair.value) : keyPos;
    const before = ctx.errors.length;
    const value = convertValue(pf, pair.value, valuePos, ctx);
    entries.push({ key: key.toLowerCase(), value, pos: keyPos, invalid: ctx.errors.length > before || undefined });
  }
  const own = new Set(entries.map((e) => e.key));
  for (const e of merged) {
    if (own.has(e.key)) continue;
    own.add(e.key);
    entries.push(e);
  }
  return entries;
}

const MERGE_KEY = '<<';
/**
 * Alias expansions a value may cost, weighted by what each alias holds (the yaml library's
 * measure): anchors a config reuses cost a few; a "billion laughs" document of nested aliases
 * is refused before it is expanded.
 */
export const MAX_ALIAS_COUNT = 1000;

/** An alias's anchored node (an anchor is used by reference; its text is read where it is written). */
function deref(pf: ParsedFile, node: Node | null | undefined): Node | null {
  if (!node) return null;
  if (!isAlias(node)) return node;
  return (node.resolve(pf.doc) as Node | undefined) ?? null;
}

function convertValue(pf: ParsedFile, written: Node | null, p: SourcePos, ctx: ConvertCtx): RawValue {
  const node = deref(pf, written);
  if (!node) return '';
  if (isScalar(node)) return expand(scalarText(node), p, ctx);
  let js: unknown;
  try {
    js = node.toJS(pf.doc, { maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    ctx.errors.push(new ConfigError(`YAML aliases here expand too much (${(err as Error).message})`, p, {
      hint: 'write the value out, or use fewer nested aliases',
    }));
    return '';
  }
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return expand(v, p, ctx);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v === null || v === undefined ? '' : String(v);
  };
  const out = walk(js);
  if (Array.isArray(out) && out.every((x) => typeof x === 'string')) return out as string[];
  return out as RawValue;
}

function expand(text: string, p: SourcePos, ctx: ConvertCtx): string {
  const r = expandVars(text, ctx.vars, ctx.env);
  for (const name of r.missing) {
    ctx.errors.push(new ConfigError(`environment variable '${name}' is not set`, p, {
      hint: `set it, define it under 'env:', or give a default: \${${name}:-value}`,
    }));
  }
  return r.value;
}

/** A scalar as Fluent Bit reads it: the text as written (so `1.50` stays `1.50`, `on` stays `on`). */
function scalarText(node: unknown): string {
  if (!isScalar(node)) return '';
  const src = (node as { source?: string }).source;
  // `name: null` is the null output, not YAML's null; an empty value stays empty
  if (node.value === null || node.value === undefined) return typeof src === 'string' ? src : '';
  if (typeof node.value === 'string') return node.value;
  return typeof src === 'string' && src.length > 0 ? src : String(node.value);
}

function topValue(pf: ParsedFile, key: string): Node | null {
  const top = pf.doc.contents;
  if (!top || !isMap(top)) return null;
  for (const pair of top.items as Pair<Node, Node>[]) {
    if (scalarText(pair.key).toLowerCase() === key) return pair.value;
  }
  return null;
}

function pos(pf: ParsedFile, node: Node | null | undefined): SourcePos {
  const offset = node?.range?.[0] ?? 0;
  const p = pf.lc.linePos(offset);
  return withChain({ file: pf.display, line: p.line, col: p.col }, pf.chain);
}

function withChain(p: SourcePos, chain: string[]): SourcePos {
  return chain.length ? { ...p, includedFrom: chain } : p;
}
