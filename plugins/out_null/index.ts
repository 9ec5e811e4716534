import type { OutputDefinition } from '../../src/engine/types.js';

/** Accepts and discards everything: for tests and benchmarks. */
export const nullOutput: OutputDefinition = {
  kind: 'output',
  name: 'null',
  description: 'Discards every record (counts them as delivered).',
  options: [],
  create: () => ({ flush: () => Promise.resolve({ status: 'ok' }) }),
};
