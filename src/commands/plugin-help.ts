import { PLUGINS } from '../../plugins/index.js';
import { instanceOptions } from '../config/common-options.js';
import { expectedOf } from '../config/options-resolve.js';
import { didYouMean } from '../config/suggest.js';
import type { PluginKind } from '../engine/types.js';

/** `wren -i tail -h`: one plugin's options, from the same specs that validate them. */
export function pluginHelp(kind: PluginKind, name: string, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): number {
  const n = name.toLowerCase();
  const candidates = PLUGINS.filter((p) => p.kind === kind);
  const def = candidates.find((p) => p.name === n || p.aliases?.includes(n));
  if (!def) {
    stderr.write(`wren: unknown ${kind} plugin '${name}'${didYouMean(n, candidates.flatMap((p) => [p.name, ...(p.aliases ?? [])]))} (available: ${candidates.map((p) => p.name).join(', ')})\n`);
    return 1;
  }
  let out = `${kind} ${def.name}${def.aliases?.length ? ` (also ${def.aliases.join(', ')})` : ''}: ${def.description}\n\n`;
  for (const o of instanceOptions(kind, def.options)) {
    const dflt = o.default !== undefined ? ` (default: ${String(o.default)})` : o.required ? ' (required)' : '';
    out += `  ${o.key.padEnd(28)} ${expectedOf(o)}${dflt}\n  ${''.padEnd(28)} ${o.desc}\n`;
  }
  stdout.write(out);
  return 0;
}
