import type { OutputDefinition } from '../../src/engine/types.js';
import { OPENSEARCH_OPTIONS } from './config.js';

/** Ships records to OpenSearch (managed, Serverless, or self-run) with the `_bulk` API. */
export const opensearchOutput: OutputDefinition = {
  kind: 'output',
  name: 'opensearch',
  aliases: ['es'],
  description: 'Indexes records in OpenSearch with the _bulk API (Amazon OpenSearch Service and Serverless with SigV4), item by item.',
  options: OPENSEARCH_OPTIONS,
  async create(ctx) {
    const [{ OpenSearchOutput }, aws] = await Promise.all([
      import('./opensearch-output.js'),
      ctx.options.bool('aws_auth') ? import('../../src/aws/auth.js') : undefined,
    ]);
    return new OpenSearchOutput(ctx, aws?.createAwsAuth);
  },
};
