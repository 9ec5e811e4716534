import { COMMAND_LINE, loadConfig, type FlagSettings, type PluginConfig, type WrenConfig } from '../config/load.js';
import { Pipeline } from '../engine/pipeline.js';
import { ConfigErrorList, errorLine } from '../errors.js';
import { silentLogger } from '../silent-logger.js';

export interface CheckIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A configuration file, a pipeline from flags, or both (the flags' sections first); -R parsers files. */
export interface ConfigSource {
  file?: string;
  flags?: FlagSettings;
  parsersFiles?: readonly string[];
}

/** `wren check -c FILE` (or `-D`): validate, build every plugin without starting it, print the pipeline. */
export async function runCheck(source: ConfigSource | string, io: CheckIo): Promise<number> {
  const src = typeof source === 'string' ? { file: source } : source;
  const file = src.file ?? COMMAND_LINE;
  const { config, errors, warnings } = loadConfig(src.file, { env: io.env, flags: src.flags, parsersFiles: src.parsersFiles });
  for (const w of warnings) io.stderr.write(`warning: ${w.toLine()}
`);
  if (!config) {
    for (const e of errors) io.stderr.write(e.toLine() + '\n');
    io.stderr.write(`${errors.length} error(s) in ${file}\n`);
    return 1;
  }
  const pipeline = new Pipeline(config, silentLogger(), io.env);
  try {
    await pipeline.build();
  } catch (err) {
    const lines = err instanceof ConfigErrorList ? err.errors.map((e) => e.toLine()) : [errorLine(err)];
    for (const l of lines) io.stderr.write(l + '\n');
    io.stderr.write(`${lines.length} error(s) in ${file}\n`);
    return 1;
  } finally {
    await pipeline.dispose();
  }
  io.stdout.write(describe(config, file));
  return 0;
}

function settings(pc: PluginConfig, skip: string[]): string {
  const specs = new Map(pc.def.options.map((o) => [o.key, o]));
  // a key given several times (classic repeats it, YAML may list it) shows once with all its values
  const byKey = new Map<string, string[]>();
  for (const e of pc.options.entries) {
    if (skip.includes(e.key)) continue;
    const secret = specs.get(e.key)?.secret === true;
    const v = secret ? '***' : Array.isArray(e.value) && e.value.every((x) => typeof x === 'string') ? e.value.join(' | ') : typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
    byKey.set(e.key, [...(byKey.get(e.key) ?? []), v]);
  }
  const parts = [...byKey].map(([k, vs]) => {
    const v = vs.join(' | ');
    return `${k}=${v.length > 60 ? v.slice(0, 57) + '...' : v}`;
  });
  return parts.length ? '  ' + parts.join(' ') : '';
}

function describe(c: WrenConfig, file: string): string {
  const s = c.service;
  let out = `${file}: OK\n`;
  out += `service: flush ${s.flushMs}ms, grace ${s.graceMs}ms, log_level ${s.logLevel}`;
  out += s.httpServer ? `, http_server ${s.httpListen}:${s.httpPort}\n` : ', http_server off\n';
  out += 'inputs:\n';
  for (const i of c.inputs) out += `  ${i.id} (${i.def.name}) tag ${i.options.optStr('tag') ?? i.id}${settings(i, ['tag', 'alias'])}\n`;
  out += 'filters:\n';
  if (c.filters.length === 0) out += '  (none)\n';
  for (const f of c.filters) out += `  ${f.id} (${f.def.name}) match ${f.matchText}${settings(f, ['match', 'match_regex', 'alias'])}\n`;
  out += 'outputs:\n';
  for (const o of c.outputs) out += `  ${o.id} (${o.def.name}) match ${o.matchText}${settings(o, ['match', 'match_regex', 'alias'])}\n`;
  return out;
}
