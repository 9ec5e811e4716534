import type { OutputDefinition } from '../../src/engine/types.js';
import { S3_OPTIONS } from './options.js';

/** Fluent Bit's s3 output: records staged on disk, uploaded as multipart or whole objects. */
export const s3Output: OutputDefinition = {
  kind: 'output',
  name: 's3',
  description: 'Archives records in Amazon S3 as JSON lines (optionally gzip): staged in store_dir (a restart, even after kill -9, finishes what was staged), uploaded as multipart parts or whole objects, keys from s3_key_format.',
  options: S3_OPTIONS,
  async create(ctx) {
    const { S3Output } = await import('./s3-output.js');
    return new S3Output(ctx);
  },
};
