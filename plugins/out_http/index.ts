import type { OutputDefinition } from '../../src/engine/types.js';
import { HTTP_OPTIONS } from './config.js';

/** Sends records to any HTTP endpoint. */
export const httpOutput: OutputDefinition = {
  kind: 'output',
  name: 'http',
  description: 'POSTs records to an HTTP(S) endpoint as JSON, optionally gzip-compressed.',
  options: HTTP_OPTIONS,
  async create(ctx) {
    const [{ HttpOutput }, aws] = await Promise.all([
      import('./http-output.js'),
      ctx.options.bool('aws_auth') ? import('../../src/aws/auth.js') : undefined,
    ]);
    return new HttpOutput(ctx, aws?.createAwsAuth);
  },
};
