import type { InputDefinition } from '../../src/engine/types.js';
import { HTTP_OPTIONS, readHttpConfig } from './config.js';

/** `http`: records POSTed as JSON, as Fluent Bit's in_http. */
export const httpInput: InputDefinition = {
  kind: 'input',
  name: 'http',
  description: 'Receive records POSTed to /<tag> as a JSON object, a JSON array or NDJSON (gzip bodies too).',
  options: HTTP_OPTIONS,
  async create(ctx) {
    const cfg = readHttpConfig(ctx.options, ctx.baseDir);
    const { HttpInput } = await import('./http-input.js');
    return new HttpInput(ctx, cfg);
  },
};

export default httpInput;
