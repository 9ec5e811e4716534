import type { OutputDefinition } from '../../src/engine/types.js';
import { GO_KINESIS_OPTIONS } from '../../src/sink/put-records/options.js';

/** The aws-for-fluent-bit Go plugin's name, with its keys, on the kinesis_streams implementation. */
export const kinesisOutput: OutputDefinition = {
  kind: 'output',
  name: 'kinesis',
  description: "kinesis_streams under the aws-for-fluent-bit Go plugin's name and keys (partition_key with ->, aggregation, append_newline, compression zlib/gzip, data_keys, replace_dots); a record over 1 MiB is cut and ends with [Truncated...], as the Go plugin does.",
  options: GO_KINESIS_OPTIONS,
  async create(ctx) {
    const [{ PutRecordsOutput }, { KINESIS }] = await Promise.all([import('../../src/sink/put-records/output.js'), import('../../src/sink/put-records/service.js')]);
    return new PutRecordsOutput(ctx, KINESIS, 'go');
  },
};
