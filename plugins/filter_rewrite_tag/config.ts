import type { OptionSpec } from '../../src/config/types.js';

export const REWRITE_TAG_OPTIONS: readonly OptionSpec[] = [
  { key: 'rule', type: 'multi', required: true, desc: 'KEY REGEX NEW_TAG KEEP: when the string at KEY ($log, $kubernetes[\'namespace_name\']) matches REGEX, re-emit the record as NEW_TAG ($1… captures, $TAG, $TAG[n], record fields); KEEP true/false keeps the original too. The first matching rule wins. Repeatable.' },
  { key: 'emitter_name', type: 'string', desc: 'Name of the emitter input that re-emits the records (metrics, logs); default emitter_for_<this filter\'s name>.' },
  { key: 'emitter_mem_buf_limit', type: 'size', default: '10M', desc: 'mem_buf_limit of the emitter: above it the inputs feeding this filter pause until re-emitted records drain.' },
  { key: 'emitter_storage.type', type: 'string', default: 'memory', enum: ['memory'], desc: 'Where the emitter buffers records (memory only for now, as inputs\' storage.type).' },
];
