/**
 * The two batch-put APIs of the Kinesis family, as data: what the shared output needs to know to
 * build, cut and classify their calls (AWS JSON 1.1 protocol, SigV4).
 *
 * Firehose PutRecordBatch: ≤ 500 records, each ≤ 1,000 KiB of data (before base64), the request
 * ≤ 4 MiB (counted here on the request body, as Fluent Bit does: the safe reading).
 * Kinesis PutRecords: ≤ 500 records, each ≤ 1 MiB counting data and partition key, the request
 * ≤ 5 MiB counting data and partition keys.
 */
export interface StreamService {
  /** For messages: 'Firehose' / 'Kinesis'. */
  name: string;
  /** What `target` names, for messages. */
  what: string;
  /** The option that names it. */
  targetKey: 'delivery_stream' | 'stream';
  /** SigV4 signing name and the SDK service id (AWS_ENDPOINT_URL_<ID>). */
  signingName: 'firehose' | 'kinesis';
  serviceId: 'firehose' | 'kinesis';
  /** X-Amz-Target of the batch call. */
  target: string;
  /** The request's stream field. */
  streamField: 'DeliveryStreamName' | 'StreamName';
  maxRecords: number;
  /** Largest record: data bytes (Kinesis: data plus partition key). */
  maxRecordBytes: number;
  /** Largest call: body bytes (Firehose) or data + partition key bytes (Kinesis). */
  maxCallBytes: number;
  /** Kinesis records carry a partition key. */
  partitionKeys: boolean;
  failedCountField: 'FailedPutCount' | 'FailedRecordCount';
  resultsField: 'RequestResponses' | 'Records';
  /** Error types of the whole call that mean "slow down / try later". */
  throttleTypes: ReadonlySet<string>;
  /** The IAM action, for hints. */
  action: string;
}

export const FIREHOSE: StreamService = {
  name: 'Firehose',
  what: 'Firehose stream',
  targetKey: 'delivery_stream',
  signingName: 'firehose',
  serviceId: 'firehose',
  target: 'Firehose_20150804.PutRecordBatch',
  streamField: 'DeliveryStreamName',
  maxRecords: 500,
  maxRecordBytes: 1_024_000,
  maxCallBytes: 4 * 1024 * 1024,
  partitionKeys: false,
  failedCountField: 'FailedPutCount',
  resultsField: 'RequestResponses',
  throttleTypes: new Set(['ServiceUnavailableException', 'ThrottlingException', 'LimitExceededException']),
  action: 'firehose:PutRecordBatch',
};

export const KINESIS: StreamService = {
  name: 'Kinesis',
  what: 'Kinesis data stream',
  targetKey: 'stream',
  signingName: 'kinesis',
  serviceId: 'kinesis',
  target: 'Kinesis_20131202.PutRecords',
  streamField: 'StreamName',
  maxRecords: 500,
  maxRecordBytes: 1024 * 1024,
  maxCallBytes: 5 * 1024 * 1024,
  partitionKeys: true,
  failedCountField: 'FailedRecordCount',
  resultsField: 'Records',
  throttleTypes: new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'ThrottlingException', 'KMSThrottlingException']),
  action: 'kinesis:PutRecords',
};

/** Longest partition key Kinesis takes (characters; keys here are cut to it). */
export const MAX_PARTITION_KEY = 256;
