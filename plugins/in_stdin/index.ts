import type { InputDefinition } from '../../src/engine/types.js';

/** Reads records from standard input, one per line, until EOF. */
export const stdinInput: InputDefinition = {
  kind: 'input',
  name: 'stdin',
  description: 'Reads lines from standard input until EOF: JSON objects become records, other lines {"log": line}.',
  options: [
    { key: 'parser', type: 'string', desc: 'Parser to apply to each line (from parsers:); lines it does not match become {"log": line}.' },
    { key: 'buffer_size', type: 'size', default: '16k', min: 1, desc: 'Longest line accepted; longer lines are split.' },
  ],
  async create(ctx) {
    const { StdinInput } = await import('./stdin-input.js');
    return new StdinInput(ctx, process.stdin);
  },
};
