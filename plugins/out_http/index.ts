import type { OutputDefinition } from '../../src/engine/types.js';
import { HTTP_OPTIONS } from './config.js';

/** Sends records to any HTTP endpoint. */
export const httpOutput: OutputDefinition = {
  kind: 'output',
  name: 'http',
  description: 'POSTs records to an HTTP(S) endpoint as JSON, optionally gzip-compressed.',
  options: HTTP_OPTIONS,
  async create(ctx) {
    const { HttpOutput } = await import('./http-output.js');
    return new HttpOutput(ctx);
  },
};
