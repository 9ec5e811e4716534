import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { didYouMean } from '../../src/config/suggest.js';
import { ConfigError } from '../../src/errors.js';
import { CONTAINER_MULTILINE } from '../../src/parsers/multiline/builtins.js';
import type { MultilineParser } from '../../src/parsers/multiline/compile.js';
import { builtinMultiline, builtinMultilineParsers } from '../../src/parsers/multiline/registry.js';
import type { ParserLookup } from '../../src/parsers/types.js';

/** The multiline filter's keys, as Fluent Bit spells them. */
export const MULTILINE_FILTER_OPTIONS: readonly OptionSpec[] = [
  { key: 'multiline.parser', type: 'multi', desc: 'Multiline parsers to join records with (go, java, python, ruby, or a multiline_parsers: name), comma-separated or repeated, tried in order. Required in mode parser.' },
  { key: 'multiline.key_content', type: 'string', desc: 'Field whose text is matched and joined (default: the parser\'s key_content, else log). Required in mode partial_message.' },
  { key: 'mode', type: 'string', default: 'parser', enum: ['parser', 'partial_message'], desc: 'parser: join by multiline parser rules; partial_message: join the parts of lines Docker split (partial_message, partial_id, partial_last fields).' },
  { key: 'buffer', type: 'bool', default: 'on', desc: 'Hold open records across batches and let them go through the emitter (on); off: join only within one batch.' },
  { key: 'flush_ms', type: 'int', default: 2000, min: 1, desc: 'Milliseconds without a new line after which an open record is emitted (buffer on).' },
  { key: 'emitter_name', type: 'string', desc: 'Name of the emitter that hands joined records on (metrics, logs); default emitter_for_<filter name>.' },
  { key: 'emitter_storage.type', type: 'string', default: 'memory', enum: ['memory', 'filesystem'], desc: 'Where the emitter buffers: memory (filesystem is not supported yet).' },
  { key: 'emitter_mem_buf_limit', type: 'size', default: '10M', desc: 'The emitter pauses the inputs feeding it while what it emitted and is not yet delivered reaches this.' },
  { key: 'debug_flush', type: 'bool', default: 'off', desc: 'Log every joined record at debug level.' },
];

export interface MultilineFilterConfig {
  mode: 'parser' | 'partial_message';
  parsers: MultilineParser[];
  /** Set by the user (multiline.key_content): overrides the parsers' own. */
  keyContent?: string;
  buffer: boolean;
  flushMs: number;
  emitterName: string;
  emitterMemBufLimit: number;
  debugFlush: boolean;
}

export function readMultilineFilterConfig(o: PluginOptions, id: string, parsers: ParserLookup): MultilineFilterConfig {
  const mode = o.str('mode') as MultilineFilterConfig['mode'];
  const keyContent = o.optStr('multiline.key_content');
  const buffer = o.bool('buffer');
  const names = o.list('multiline.parser').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const list: MultilineParser[] = [];
  for (const name of names) {
    const p = parsers.multiline !== undefined ? parsers.multiline.get(name) : builtinMultiline(name);
    if (p !== undefined) {
      if (!list.includes(p)) list.push(p);
      continue;
    }
    const known = [...(parsers.multiline?.names() ?? builtinMultilineParsers().keys())];
    const container = (CONTAINER_MULTILINE as readonly string[]).includes(name.toLowerCase());
    throw new ConfigError(`filter multiline: multiline.parser '${name}' ${container ? 'is a container format the tail input joins' : `is not defined${didYouMean(name, known)}`}`,
      o.pos('multiline.parser'), { hint: container ? `set multiline.parser ${name} on the tail input; here use ${known.join(', ')}` : `use ${known.join(', ')}, or define it under multiline_parsers:` });
  }
  if (mode === 'parser' && list.length === 0) {
    throw new ConfigError("filter multiline: mode parser needs at least one 'multiline.parser'", o.sectionPos, { hint: 'add e.g. multiline.parser: java' });
  }
  if (mode === 'partial_message') {
    if (keyContent === undefined) throw new ConfigError("filter multiline: mode partial_message needs 'multiline.key_content'", o.sectionPos, { hint: 'add multiline.key_content: log' });
    if (!buffer) throw new ConfigError("filter multiline: mode partial_message needs 'buffer on'", o.pos('buffer'), { hint: 'remove buffer off' });
  }
  if (o.str('emitter_storage.type') === 'filesystem') {
    throw new ConfigError('filter multiline: emitter_storage.type filesystem is not supported yet', o.pos('emitter_storage.type'), { hint: 'use memory (the default)' });
  }
  return {
    mode,
    parsers: list,
    keyContent,
    buffer,
    flushMs: o.num('flush_ms'),
    emitterName: o.optStr('emitter_name') ?? `emitter_for_${id}`,
    emitterMemBufLimit: o.num('emitter_mem_buf_limit'),
    debugFlush: o.bool('debug_flush'),
  };
}
