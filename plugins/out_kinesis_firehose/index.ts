import type { OutputDefinition } from '../../src/engine/types.js';
import { FIREHOSE_OPTIONS } from '../../src/sink/put-records/options.js';

/** Fluent Bit's kinesis_firehose: PutRecordBatch to an Amazon Data Firehose stream. */
export const kinesisFirehoseOutput: OutputDefinition = {
  kind: 'output',
  name: 'kinesis_firehose',
  description: 'Sends records to Amazon Data Firehose (PutRecordBatch, SigV4): 500 records / 4 MiB a call, only failed records sent again; a record over 1,000 KiB is dropped (counted), as Fluent Bit does.',
  options: FIREHOSE_OPTIONS,
  async create(ctx) {
    const [{ PutRecordsOutput }, { FIREHOSE }] = await Promise.all([import('../../src/sink/put-records/output.js'), import('../../src/sink/put-records/service.js')]);
    return new PutRecordsOutput(ctx, FIREHOSE, 'core');
  },
};
