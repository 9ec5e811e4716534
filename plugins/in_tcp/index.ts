import type { InputDefinition } from '../../src/engine/types.js';
import { readTcpConfig, TCP_OPTIONS } from './config.js';

/** `tcp`: JSON objects or raw text over TCP, as Fluent Bit's in_tcp (also FireLens's health check). */
export const tcpInput: InputDefinition = {
  kind: 'input',
  name: 'tcp',
  description: 'Receive JSON objects or separator-delimited text over TCP connections.',
  options: TCP_OPTIONS,
  async create(ctx) {
    const cfg = readTcpConfig(ctx.options);
    const { TcpInput } = await import('./tcp-input.js');
    return new TcpInput(ctx, cfg);
  },
};

export default tcpInput;
