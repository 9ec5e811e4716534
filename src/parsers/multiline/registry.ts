import type { Parser } from '../types.js';
import { BUILTIN_MULTILINE_SPECS } from './builtins.js';
import { compileMultiline, type MultilineParser } from './compile.js';

let builtins: ReadonlyMap<string, MultilineParser> | undefined;

/** The built-in multiline parsers (go, java, python, ruby), compiled once. */
export function builtinMultilineParsers(): ReadonlyMap<string, MultilineParser> {
  if (!builtins) builtins = new Map(BUILTIN_MULTILINE_SPECS.map((s) => [s.name, compileMultiline(s)]));
  return builtins;
}

/** A built-in multiline parser by name (case-insensitive, as Fluent Bit looks them up). */
export function builtinMultiline(name: string): MultilineParser | undefined {
  return builtinMultilineParsers().get(name.toLowerCase());
}

/** Lookup of multiline parsers: the config's own by name, else a built-in. */
export interface MultilineLookup {
  get(name: string): MultilineParser | undefined;
  names(): string[];
}

export function multilineLookupOf(own: ReadonlyMap<string, MultilineParser>): MultilineLookup {
  const lower = new Map([...own].map(([k, v]) => [k.toLowerCase(), v]));
  return {
    get: (name) => lower.get(name.toLowerCase()) ?? builtinMultiline(name),
    names: () => [...new Set([...builtinMultilineParsers().keys(), ...own.keys()])].sort(),
  };
}

export type { MultilineParser, Parser };
