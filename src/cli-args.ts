import { DEFAULT_CONFIG_PATHS, defaultConfigPath } from './config/default-path.js';
import { resolve } from 'node:path';
import type { RawEntry, RawSection } from './config/types.js';
import type { PluginKind } from './engine/types.js';
import type { SourcePos } from './errors.js';

/**
 * Wren's command line: its own subcommands (`run`, `check`, `credentials`) and Fluent Bit's flags,
 * parsed the way getopt_long parses them (`-c FILE`, `-cFILE`, `--config FILE`, `--config=FILE`,
 * `-vv`). A pipeline given with `-i/-F/-o` becomes raw config sections, validated like a file's.
 */

export type Command = 'run' | 'check' | 'credentials' | 'convert' | 'help' | 'version';

/** Subcommands, written first: `wren check -c FILE`. Add new ones here and a `case` in cli.ts. */
export const COMMANDS: readonly Command[] = ['run', 'check', 'credentials', 'convert', 'help', 'version'];

/** Commands where `-o/--output X` is a plain value (credentials: which output; convert: the file to write), not Fluent Bit's "add an output plugin". */
const OUTPUT_IS_VALUE: ReadonlySet<Command> = new Set<Command>(['credentials', 'convert']);

/** The pipeline and service settings given as flags. Sections come before a config file's, as in Fluent Bit. */
export interface FlagConfig {
  sections: RawSection[];
  /** Service keys set by flags (-f, -H, -P, -L, -l, -b, -s, -Y, -d, -v, -q). The file's value wins, as in Fluent Bit. */
  service: RawEntry[];
}

export interface Args {
  command: Command;
  config?: string;
  /** -w: change to this folder before reading anything (relative -c and -R resolve from it). */
  workdir?: string;
  /** -D: validate and exit, as `wren check`. */
  dryRun: boolean;
  /** `credentials --output NAME`, `convert -o FILE`. */
  output?: string;
  /** -R: parsers files, as written (relative to the working directory, after -w). */
  parsers: string[];
  json: boolean;
  flags: FlagConfig;
  /** `-h` after `-i/-F/-o NAME`: that plugin's options. */
  helpFor?: { kind: PluginKind; name: string };
  /** Flags Fluent Bit ignores in that place (e.g. -m after -i): said once on stderr. */
  warnings: string[];
}

export class UsageError extends Error {}

interface Opt {
  short?: string;
  long: readonly string[];
  arg: boolean;
  apply(st: State, value: string, pos: SourcePos): void;
}

interface State {
  args: Args;
  last?: RawSection;
  verbose: number;
  quiet?: SourcePos;
  verbosePos?: SourcePos;
}

const service = (key: string, fixed?: string) => (st: State, v: string, pos: SourcePos) => {
  st.args.flags.service.push({ key, value: fixed ?? v, pos });
};

const section = (kind: RawSection['kind']) => (st: State, v: string, pos: SourcePos) => {
  const s: RawSection = { kind, name: v.trim(), entries: [], pos };
  st.args.flags.sections.push(s);
  st.last = s;
};

const unsupported = (what: string, hint: string) => (_st: State, _v: string, pos: SourcePos) => {
  throw new UsageError(`${pos.arg}: ${what} is not supported by Wren (${hint})`);
};

const OPTIONS: readonly Opt[] = [
  { short: 'c', long: ['config'], arg: true, apply: (st, v) => (st.args.config = v) },
  { short: 'R', long: ['parser'], arg: true, apply: (st, v) => st.args.parsers.push(v) },
  { short: 'i', long: ['input'], arg: true, apply: section('input') },
  { short: 'F', long: ['filter'], arg: true, apply: section('filter') },
  { short: 'o', long: ['output'], arg: true, apply: section('output') },
  {
    short: 'p', long: ['prop'], arg: true, apply: (st, v, pos) => {
      if (!st.last) throw new UsageError(`${pos.arg}: -p sets a property of the plugin before it; put it after -i, -F or -o`);
      const eq = v.indexOf('=');
      if (eq <= 0) throw new UsageError(`${pos.arg}: -p expects key=value (e.g. -p rate=5)`);
      st.last.entries.push({ key: v.slice(0, eq).trim().toLowerCase(), value: v.slice(eq + 1).trim(), pos });
    },
  },
  {
    short: 'm', long: ['match'], arg: true, apply: (st, v, pos) => {
      if (st.last && st.last.kind !== 'input') st.last.entries.push({ key: 'match', value: v.trim(), pos });
      else st.args.warnings.push(`${pos.arg} is ignored: -m sets the match of the -F or -o before it (as in Fluent Bit)`);
    },
  },
  {
    short: 't', long: ['tag'], arg: true, apply: (st, v, pos) => {
      if (st.last) st.last.entries.push({ key: 'tag', value: v.trim(), pos });
      else st.args.warnings.push(`${pos.arg} is ignored: -t sets the tag of the -i before it (as in Fluent Bit)`);
    },
  },
  { short: 'f', long: ['flush'], arg: true, apply: service('flush') },
  { short: 'D', long: ['dry-run'], arg: false, apply: (st) => (st.args.dryRun = true) },
  { short: 'w', long: ['workdir'], arg: true, apply: (st, v) => (st.args.workdir = v) },
  { short: 'H', long: ['http', 'http_server'], arg: false, apply: service('http_server', 'on') },
  { short: 'P', long: ['port', 'http_port'], arg: true, apply: service('http_port') },
  { short: 'L', long: ['http_listen'], arg: true, apply: service('http_listen') },
  { short: 'l', long: ['log_file'], arg: true, apply: service('log_file') },
  { short: 'b', long: ['storage_path'], arg: true, apply: service('storage.path') },
  { short: 's', long: ['coro_stack_size'], arg: true, apply: service('coro_stack_size') },
  { short: 'Y', long: ['enable-hot-reload'], arg: false, apply: service('hot_reload', 'on') },
  { short: 'd', long: ['daemon'], arg: false, apply: service('daemon', 'on') },
  {
    short: 'v', long: ['verbose'], arg: false, apply: (st, _v, pos) => {
      st.verbose++;
      st.verbosePos = pos;
    },
  },
  { short: 'q', long: ['quiet'], arg: false, apply: (st, _v, pos) => (st.quiet = pos) },
  {
    short: 'h', long: ['help'], arg: false, apply: (st) => {
      st.args.command = 'help';
      const l = st.last;
      if (l && (l.kind === 'input' || l.kind === 'filter' || l.kind === 'output')) st.args.helpFor = { kind: l.kind, name: l.name };
    },
  },
  { short: 'V', long: ['version'], arg: false, apply: (st) => (st.args.command = 'version') },
  { long: ['json'], arg: false, apply: (st) => (st.args.json = true) },
  { short: 'e', long: ['plugin'], arg: true, apply: unsupported('loading a shared-library plugin', 'Wren plugins are built in') },
  { short: 'C', long: ['custom'], arg: true, apply: unsupported('a custom plugin', 'remove the flag') },
  { short: 'r', long: ['processor'], arg: true, apply: unsupported('a processor', 'use a filter (-F) instead') },
  { short: 'T', long: ['sp-task'], arg: true, apply: unsupported('the stream processor', 'remove the flag') },
  { short: 'J', long: ['help-json'], arg: false, apply: unsupported('the JSON schema', 'see wren --help and the README reference') },
  { short: 'S', long: ['sosreport'], arg: false, apply: unsupported('the support report', 'remove the flag') },
  { short: 'Z', long: ['enable-chunk-trace'], arg: false, apply: unsupported('chunk tracing', 'remove the flag') },
  { long: ['supervisor'], arg: false, apply: unsupported('the supervisor mode', 'let the service manager restart Wren') },
];

const byShort = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));
const byLong = new Map(OPTIONS.flatMap((o) => o.long.map((l) => [l, o] as const)));
const credentialsOutput: Opt = { short: 'o', long: ['output'], arg: true, apply: (st, v) => (st.args.output = v) };

export function parseArgs(argv: readonly string[], defaultConfig: () => string | undefined = defaultConfigPath): Args {
  const args: Args = { command: 'run', dryRun: false, json: false, parsers: [], flags: { sections: [], service: [] }, warnings: [] };
  const st: State = { args, verbose: 0 };
  let i = 0;
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-')) {
    if (!(COMMANDS as readonly string[]).includes(first)) {
      throw new UsageError(`unknown command '${first}' (commands: ${COMMANDS.filter((c) => c !== 'help' && c !== 'version').join(', ')})`);
    }
    args.command = first as Command;
    i = 1;
  }
  const valueAsPlain = OUTPUT_IS_VALUE.has(args.command);
  const find = (opt: Opt | undefined): Opt | undefined => (valueAsPlain && opt?.short === 'o' ? credentialsOutput : opt);

  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const at = (text: string): SourcePos => ({ file: '<command line>', line: 1, col: i + 1, arg: text });
    const next = (flag: string): string => {
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('-') && v.length > 1)) throw new UsageError(`${flag} needs a value`);
      i++;
      return v;
    };
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const opt = find(byLong.get(name));
      if (!opt) throw new UsageError(`unknown option '--${name}'`);
      if (!opt.arg) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        opt.apply(st, '', at(a));
        continue;
      }
      const v = eq >= 0 ? a.slice(eq + 1) : next(a);
      opt.apply(st, v, at(eq >= 0 ? a : `${a} ${v}`));
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // a cluster of short flags: -vv, -cFILE, -c FILE
      for (let k = 1; k < a.length; k++) {
        const opt = find(byShort.get(a[k]!));
        if (!opt) throw new UsageError(`unknown option '-${a[k]}'`);
        if (!opt.arg) {
          opt.apply(st, '', at(`-${a[k]}`));
          continue;
        }
        const attached = a.slice(k + 1);
        const v = attached !== '' ? attached : next(`-${a[k]}`);
        opt.apply(st, v, at(`-${a[k]} ${v}`));
        break;
      }
      continue;
    }
    throw new UsageError(`unexpected argument '${a}'`);
  }

  if (st.quiet) args.flags.service.push({ key: 'log_level', value: 'off', pos: st.quiet });
  else if (st.verbose > 0) args.flags.service.push({ key: 'log_level', value: st.verbose > 1 ? 'trace' : 'debug', pos: st.verbosePos! });
  // -l and -b name paths from where Wren runs (after -w), not from the config file's folder; -R
  // files are resolved by the loader from the working directory (Wren changes to -w first)
  const base = args.workdir !== undefined ? resolve(args.workdir) : process.cwd();
  for (const e of args.flags.service) {
    if ((e.key === 'log_file' || e.key === 'storage.path') && typeof e.value === 'string') e.value = resolve(base, e.value);
  }
  if (args.dryRun && args.command === 'run') args.command = 'check';
  const hasPipeline = args.flags.sections.length > 0;
  if ((args.command === 'run' || args.command === 'check' || args.command === 'credentials') && !args.config && !hasPipeline) {
    // the container image's layout: a mounted fluent-bit.conf, else Wren's own default
    args.config = defaultConfig();
    if (args.config === undefined) {
      throw new UsageError(`'wren ${args.command}' needs -c FILE${args.command === 'credentials' ? '' : ' or a pipeline from flags (e.g. wren -i dummy -o stdout)'}; `
        + `without them Wren reads ${DEFAULT_CONFIG_PATHS.join(' or ')}, and neither exists`);
    }
  }
  if (args.command === 'convert' && !args.config) {
    throw new UsageError(`'wren ${args.command}' needs -c FILE (e.g. wren ${args.command} -c ${args.command === 'convert' ? 'fluent-bit.conf' : 'config/wren.yaml'})`);
  }
  return args;
}
