import type { InputDefinition } from '../../src/engine/types.js';
import { FORWARD_OPTIONS, readForwardConfig } from './config.js';

/** `forward`: Fluentd's Forward protocol v1 server, as Fluent Bit's in_forward (FireLens, Docker's fluentd driver, fluent-logger clients). */
export const forwardInput: InputDefinition = {
  kind: 'input',
  name: 'forward',
  description: 'Receive events over the Fluentd Forward protocol (TCP, TLS or a unix socket): all four event modes, acks, gzip, the shared-key handshake.',
  options: FORWARD_OPTIONS,
  async create(ctx) {
    const cfg = readForwardConfig(ctx.options, ctx.baseDir);
    const { ForwardInput } = await import('./forward-input.js');
    return new ForwardInput(ctx, cfg);
  },
};

export default forwardInput;
