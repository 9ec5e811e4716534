import type { SourcePos } from '../errors.js';

/**
 * How a key's text is read. Every type accepts the text a user would write in Fluent Bit's YAML.
 * - string, int, double, bool (on/off/true/false/yes/no)
 * - size:  32k, 5M, 5MB, 1G → bytes
 * - time:  5 (seconds), 500ms, 5s, 2m → milliseconds
 * - list:  comma-separated text or a YAML sequence → string[]
 * - multi: a repeatable key (a YAML sequence, or the key given more than once) → string[]
 * - json:  JSON text or a YAML mapping/sequence → the parsed value
 */
export type OptionType = 'string' | 'int' | 'double' | 'bool' | 'size' | 'time' | 'list' | 'multi' | 'json';

/** One configuration key of a plugin (or of `service`), declared as data: docs and validation come from it. */
export interface OptionSpec {
  /** Lower-case, as Fluent Bit spells it: `mem_buf_limit`, `tls.verify`, `multiline.parser`. */
  key: string;
  type: OptionType;
  /** The default as a user would write it (`'5M'`, `'on'`, `2020`), parsed like user input. */
  default?: string | number | boolean;
  /** One line for the configuration reference. */
  desc: string;
  /** Allowed values (compared case-insensitively), for string-typed keys. */
  enum?: readonly string[];
  min?: number;
  max?: number;
  required?: boolean;
  /** Never printed (`wren check`, logs); shown as `***`. */
  secret?: boolean;
}

/** One value as it came from the YAML: scalars become text, as Fluent Bit reads them. */
export type RawValue = string | string[] | Record<string, unknown> | unknown[];

export interface RawEntry {
  /** Lower-cased key (keys are case-insensitive, as in Fluent Bit). */
  key: string;
  value: RawValue;
  pos: SourcePos;
  /** Set when the value could not be read (e.g. a missing ${VAR}, already reported): not type-checked. */
  invalid?: boolean;
}

/** One `- name: ...` item of `pipeline.inputs|filters|outputs`, or `service`, or a parser. */
export interface RawSection {
  kind: 'service' | 'input' | 'filter' | 'output' | 'parser' | 'multiline_parser';
  /** The plugin name (`tail`, `es`); empty for `service`. */
  name: string;
  entries: RawEntry[];
  pos: SourcePos;
}

/**
 * The resolved, typed options of one plugin instance. Values were validated against the plugin's
 * OptionSpecs, so the getters only check what the caller expects.
 */
export class PluginOptions {
  constructor(
    private readonly values: ReadonlyMap<string, unknown>,
    private readonly positions: ReadonlyMap<string, SourcePos>,
    /** Every entry in the order written (e.g. `modify` applies its rules in this order). */
    readonly entries: readonly RawEntry[] = [],
    readonly sectionPos?: SourcePos,
  ) {}

  /** Written in the config (not a default). */
  isSet(key: string): boolean {
    return this.positions.has(key);
  }

  has(key: string): boolean {
    return this.values.get(key) !== undefined;
  }

  /** Where the key was written, for error messages; falls back to the section. */
  pos(key: string): SourcePos | undefined {
    return this.positions.get(key) ?? this.sectionPos;
  }

  raw(key: string): unknown {
    return this.values.get(key);
  }

  str(key: string): string {
    const v = this.values.get(key);
    if (typeof v !== 'string') throw new TypeError(`option '${key}' is not a set string`);
    return v;
  }

  optStr(key: string): string | undefined {
    const v = this.values.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  num(key: string): number {
    const v = this.values.get(key);
    if (typeof v !== 'number') throw new TypeError(`option '${key}' is not a set number`);
    return v;
  }

  optNum(key: string): number | undefined {
    const v = this.values.get(key);
    return typeof v === 'number' ? v : undefined;
  }

  bool(key: string): boolean {
    return this.values.get(key) === true;
  }

  list(key: string): string[] {
    const v = this.values.get(key);
    return Array.isArray(v) ? (v as string[]) : [];
  }

  /** All keys that have a value (declared defaults included). */
  keys(): string[] {
    return [...this.values.keys()].filter((k) => this.values.get(k) !== undefined);
  }
}
