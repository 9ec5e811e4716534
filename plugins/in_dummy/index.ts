import type { InputDefinition } from '../../src/engine/types.js';

/** Generates a fixed record: for trying pipelines out, and for benchmarks. */
export const dummyInput: InputDefinition = {
  kind: 'input',
  name: 'dummy',
  description: 'Generates a fixed JSON record at a set rate.',
  options: [
    { key: 'dummy', type: 'json', default: '{"message":"dummy"}', desc: 'The record to generate, as JSON.' },
    { key: 'rate', type: 'int', default: 1, min: 1, desc: 'Records per second.' },
    { key: 'copies', type: 'int', default: 1, min: 1, desc: 'Records generated at each tick (rate counts ticks, as in Fluent Bit).' },
    { key: 'samples', type: 'int', default: 0, min: 0, desc: 'Stop after this many records and finish the input (0: never stop).' },
    { key: 'start_time_sec', type: 'int', desc: 'Fixed time (epoch seconds) for the records instead of now.' },
    { key: 'start_time_nsec', type: 'int', default: 0, min: 0, desc: 'Nanoseconds added to start_time_sec.' },
    { key: 'fixed_timestamp', type: 'bool', default: 'off', desc: 'Give every record the same time (start_time, or the start of the run).' },
    { key: 'flush_on_startup', type: 'bool', default: 'off', desc: 'Generate the first record at once instead of after the first interval.' },
  ],
  async create(ctx) {
    const { DummyInput } = await import('./dummy-input.js');
    return new DummyInput(ctx);
  },
};
