import type { OutputDefinition } from '../../src/engine/types.js';
import { GO_FIREHOSE_OPTIONS } from '../../src/sink/put-records/options.js';

/** The aws-for-fluent-bit Go plugin's name, with its keys, on the kinesis_firehose implementation. */
export const firehoseOutput: OutputDefinition = {
  kind: 'output',
  name: 'firehose',
  description: "kinesis_firehose under the aws-for-fluent-bit Go plugin's name and keys (data_keys, replace_dots, simple_aggregation, %L / %f in time_key_format); a record over 1,000 KiB is cut and ends with [Truncated...], as the Go plugin does.",
  options: GO_FIREHOSE_OPTIONS,
  async create(ctx) {
    const [{ PutRecordsOutput }, { FIREHOSE }] = await Promise.all([import('../../src/sink/put-records/output.js'), import('../../src/sink/put-records/service.js')]);
    return new PutRecordsOutput(ctx, FIREHOSE, 'go');
  },
};
