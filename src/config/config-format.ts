import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadClassic } from './classic-load.js';
import { displayName } from './display-name.js';
import { loadYaml, type LoadedYaml } from './yaml-load.js';

/**
 * Which syntax a configuration file is read in, chosen as Fluent Bit chooses: by extension,
 * `.yaml` / `.yml` → YAML, anything else → classic. When a file fails to load and its content
 * clearly is the other syntax, the first error says which syntax was assumed, why, and the fix.
 */

export type ConfigFormat = 'yaml' | 'classic';

export interface LoadedRaw extends LoadedYaml {
  format: ConfigFormat;
}

export function formatOf(file: string): ConfigFormat {
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'classic';
}

/** Read a configuration file (and its includes) in the syntax its name says. */
export function loadRaw(file: string, env: NodeJS.ProcessEnv): LoadedRaw {
  const format = formatOf(file);
  const loaded = format === 'yaml' ? loadYaml(file, env) : loadClassic(file, env);
  if (loaded.errors.length === 0) return { ...loaded, format };
  const other = otherSyntax(file, format);
  if (!other) return { ...loaded, format };
  const why = format === 'yaml'
    ? `read as YAML because its name ends in '${extname(file)}'`
    : `read as Fluent Bit's classic format because its name does not end in .yaml or .yml`;
  const fix = format === 'yaml' ? 'rename it to end in .conf' : 'rename it to end in .yaml';
  const note = new ConfigError(`${why}, but it looks like ${other.what} (line ${other.line}: '${other.text}')`, { file: displayName(resolve(file)), line: 1, col: 1 }, { hint: fix });
  // the other syntax's errors are noise: keep the note and the first of them
  return { sections: [], errors: [note, ...loaded.errors.slice(0, 1)], files: loaded.files, format };
}

const CLASSIC_HEADER = /^\[(SERVICE|INPUT|FILTER|OUTPUT|PARSER|MULTILINE_PARSER)S?\][ \t]*$/i;
const YAML_TOP = /^(service|pipeline|env|includes|parsers|multiline_parsers)[ \t]*:/i;

/** Whether the text is clearly in the other syntax, and where that shows. */
function otherSyntax(file: string, format: ConfigFormat): { what: string; line: number; text: string } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split(/\r?\n/);
  const re = format === 'yaml' ? CLASSIC_HEADER : YAML_TOP;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) continue;
    if (re.test(l)) return { what: format === 'yaml' ? "Fluent Bit's classic format" : 'YAML', line: i + 1, text: l.length > 40 ? l.slice(0, 37) + '...' : l };
    // the first meaningful line decides, except that classic files may open with @SET / @INCLUDE
    if (!(format === 'yaml' && /^@(SET|INCLUDE)\b/i.test(l))) return undefined;
  }
  return undefined;
}
