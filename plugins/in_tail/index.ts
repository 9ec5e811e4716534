import type { InputDefinition } from '../../src/engine/types.js';
import { readTailConfig, TAIL_OPTIONS } from './config.js';

/** `tail`: follow files (container logs first of all), as Fluent Bit's in_tail. */
export const tailInput: InputDefinition = {
  kind: 'input',
  name: 'tail',
  description: 'Follow files matched by glob patterns: rotation, offsets db, CRI/docker container lines rejoined.',
  options: TAIL_OPTIONS,
  async create(ctx) {
    const cfg = readTailConfig(ctx.options, ctx.baseDir, ctx.parsers);
    const { TailInput } = await import('./tail-input.js');
    return new TailInput(ctx, cfg);
  },
};

export default tailInput;
