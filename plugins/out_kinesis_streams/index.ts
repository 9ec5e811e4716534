import type { OutputDefinition } from '../../src/engine/types.js';
import { KINESIS_OPTIONS } from '../../src/sink/put-records/options.js';

/** Fluent Bit's kinesis_streams: PutRecords to an Amazon Kinesis data stream. */
export const kinesisStreamsOutput: OutputDefinition = {
  kind: 'output',
  name: 'kinesis_streams',
  description: 'Sends records to an Amazon Kinesis data stream (PutRecords, SigV4): 500 records / 5 MiB a call, partition key from a record field or random, KPL aggregation; only failed records sent again, in order per partition key; a record over 1 MiB is dropped (counted), as Fluent Bit does.',
  options: KINESIS_OPTIONS,
  async create(ctx) {
    const [{ PutRecordsOutput }, { KINESIS }] = await Promise.all([import('../../src/sink/put-records/output.js'), import('../../src/sink/put-records/service.js')]);
    return new PutRecordsOutput(ctx, KINESIS, 'core');
  },
};
