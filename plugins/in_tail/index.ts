import type { InputDefinition } from '../../src/engine/types.js';
import { readTailConfig, TAIL_OPTIONS } from './config.js';
import { TailInput } from './tail-input.js';

/** `tail`: follow files (container logs first of all), as Fluent Bit's in_tail. */
export const tailInput: InputDefinition = {
  kind: 'input',
  name: 'tail',
  description: 'Follow files matched by glob patterns: rotation, offsets db, CRI/docker container lines rejoined.',
  options: TAIL_OPTIONS,
  create(ctx) {
    return new TailInput(ctx, readTailConfig(ctx.options, ctx.baseDir, ctx.parsers));
  },
};

export default tailInput;
