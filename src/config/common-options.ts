import type { PluginKind } from '../engine/types.js';
import type { OptionSpec } from './types.js';

/** Keys every plugin of a kind takes, handled by the engine (Fluent Bit's generic properties). */

const LOG_LEVELS = ['off', 'error', 'warn', 'warning', 'info', 'debug', 'trace'] as const;

const COMMON: readonly OptionSpec[] = [
  { key: 'alias', type: 'string', desc: 'Name of this instance in logs and metrics (default: <name>.<index>).' },
  { key: 'log_level', type: 'string', enum: LOG_LEVELS, desc: "Log level for this instance (default: the service's)." },
];

const INPUT: readonly OptionSpec[] = [
  ...COMMON,
  { key: 'tag', type: 'string', desc: "Tag given to this input's records (default: the plugin name)." },
  {
    key: 'mem_buf_limit',
    type: 'size',
    desc: 'Pause this input while its records not yet delivered take this much memory; resume when they drain. Unset: no limit.',
  },
  {
    key: 'storage.type',
    type: 'string',
    default: 'memory',
    enum: ['memory', 'filesystem', 'memrb'],
    desc: "memory: buffered in memory (pauses at mem_buf_limit); filesystem: also written to chunk files under the service's storage.path, so nothing stored is lost to a crash; memrb: memory, dropping the oldest chunks (counted) instead of pausing.",
  },
  {
    key: 'storage.pause_on_chunks_overlimit',
    type: 'bool',
    default: 'off',
    desc: 'filesystem: pause this input while an output it feeds has more than storage.max_chunks_up chunks waiting (else they wait on disk).',
  },
  { key: 'threaded', type: 'bool', default: 'off', desc: 'Accepted for Fluent Bit compatibility; Wren inputs run on the event loop.' },
];

const FILTER: readonly OptionSpec[] = [
  ...COMMON,
  { key: 'match', type: 'string', desc: "Tags this filter applies to, with '*' wildcards." },
  { key: 'match_regex', type: 'string', desc: 'Tags this filter applies to, as a regular expression (instead of match).' },
];

const OUTPUT: readonly OptionSpec[] = [
  ...COMMON,
  { key: 'match', type: 'string', desc: "Tags this output receives, with '*' wildcards." },
  { key: 'match_regex', type: 'string', desc: 'Tags this output receives, as a regular expression (instead of match).' },
  {
    key: 'retry_limit',
    type: 'string',
    default: 'no_limits',
    desc: 'Retries per chunk before its records are dropped: a number, no_limits / false (retry for ever), or no_retries.',
  },
  { key: 'workers', type: 'int', default: 1, min: 1, max: 64, desc: 'Flushes of this output that may run at the same time.' },
  {
    key: 'storage.total_limit_size',
    type: 'size',
    desc: "Most bytes of this output's chunk files on disk (storage.type filesystem); past it the oldest chunks are dropped, counted and logged by name.",
  },
];

export function commonOptions(kind: PluginKind): readonly OptionSpec[] {
  return kind === 'input' ? INPUT : kind === 'filter' ? FILTER : OUTPUT;
}

/** The schema of an instance: the engine's keys, overridden by the plugin's own where both declare one. */
export function instanceOptions(kind: PluginKind, own: readonly OptionSpec[]): OptionSpec[] {
  const mine = new Set(own.map((o) => o.key));
  return [...commonOptions(kind).filter((o) => !mine.has(o.key)), ...own];
}

/** `retry_limit` text → number of retries (Infinity for no limit), or undefined if malformed. */
export function parseRetryLimit(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'no_limits' || t === 'false' || t === 'off' || t === 'unlimited') return Infinity;
  if (t === 'no_retries') return 0;
  if (/^\d+$/.test(t)) return Number(t);
  return undefined;
}
