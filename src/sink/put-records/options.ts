import type { OptionSpec } from '../../config/types.js';
import { CLOUDWATCH_AWS_OPTIONS } from '../../aws/options.js';
import { PROXY_OPTIONS, TLS_OPTIONS } from '../../net/options.js';
import { NET_OPTIONS } from '../options.js';

/**
 * Option schemas of the four Kinesis-family outputs. Fluent Bit's C plugins (`kinesis_firehose`,
 * `kinesis_streams`) and the aws-for-fluent-bit Go plugins (`firehose`, `kinesis`) share the main
 * keys; the Go names add theirs. Every name takes every shared key, so a config moves between the
 * names by changing `name` only. (Imports nothing heavy: plugin index files use these.)
 */

const TIME_FORMAT_DOC = 'strftime format (UTC) of time_key';

function shared(go: boolean, compressions: readonly string[]): OptionSpec[] {
  return [
    { key: 'time_key', type: 'string', desc: "Add the record's time to the record under this key (not added by default)." },
    {
      key: 'time_key_format',
      type: 'string',
      default: '%Y-%m-%dT%H:%M:%S',
      desc: go ? `${TIME_FORMAT_DOC}; %L milliseconds, %f microseconds (as the Go plugins).` : `${TIME_FORMAT_DOC}; %3N milliseconds, %9N or %L nanoseconds (as Fluent Bit).`,
    },
    { key: 'log_key', type: 'string', desc: "Send only this key's value (text as is, other values as JSON) instead of the whole record; records without it are dropped (counted)." },
    { key: 'data_keys', type: 'list', desc: 'Send only these top-level keys of each record (comma-separated), as the Go plugins.' },
    { key: 'replace_dots', type: 'string', desc: "Replace '.' in key names (at every level of maps) with this text, e.g. _ (as the Go plugins)." },
    {
      key: 'compression',
      type: 'string',
      enum: ['none', ...compressions],
      desc: `Compress each record on its own: ${compressions.join(' or ')} (a record whose compressed form is over the limit is cut and compressed again).`,
    },
    { key: 'simple_aggregation', type: 'bool', default: 'off', desc: 'Pack several newline-ended records into one service record (up to its size limit): fewer records billed, fewer calls.' },
    { key: 'auto_retry_requests', type: 'bool', default: 'on', desc: 'Send a request again at once, once, after a network error, before the retry with backoff.' },
    { key: 'endpoint', type: 'string', desc: 'Service endpoint: a host or a full URL (VPC endpoints, tests); default the AWS_ENDPOINT_URL_* variables and the profile (as the AWS SDKs), else the regional endpoint (FIPS / dual-stack with AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT).' },
    ...TLS_OPTIONS.filter((o) => o.key !== 'tls'),
    ...PROXY_OPTIONS,
    ...NET_OPTIONS,
    ...CLOUDWATCH_AWS_OPTIONS,
  ];
}

export const FIREHOSE_OPTIONS: readonly OptionSpec[] = [
  { key: 'delivery_stream', type: 'string', required: true, desc: 'Firehose stream (delivery stream) to send records to.' },
  ...shared(false, ['gzip']),
];

export const GO_FIREHOSE_OPTIONS: readonly OptionSpec[] = [
  { key: 'delivery_stream', type: 'string', required: true, desc: 'Firehose stream (delivery stream) to send records to.' },
  ...shared(true, ['gzip']),
];

function kinesisKeys(go: boolean): OptionSpec[] {
  return [
    { key: 'stream', type: 'string', required: true, desc: 'Kinesis data stream to send records to.' },
    {
      key: 'partition_key',
      type: 'string',
      desc: "Record key whose value is each record's partition key (nested as kubernetes->pod_name or $kubernetes['pod_name']); missing or not text: a random key.",
    },
    { key: 'aggregation', type: 'bool', default: 'off', desc: 'KPL aggregation: many records in one Kinesis record (protobuf, as the Kinesis Producer Library writes it); consumers de-aggregate with the KCL.' },
    {
      key: 'append_newline',
      type: 'bool',
      default: go ? 'off' : 'on',
      desc: go ? 'End each record with a newline (as the Go plugin, off by default).' : 'End each record with a newline (Fluent Bit always does).',
    },
    { key: 'experimental_concurrency', type: 'int', min: 0, max: 10, desc: 'Accepted for Go plugin configs and not used: set workers for flushes in flight.' },
    { key: 'experimental_concurrency_retries', type: 'int', min: 0, desc: 'Accepted for Go plugin configs and not used: retries follow retry_limit.' },
    { key: 'http_request_timeout', type: 'time', min: 0, desc: 'Deadline of each request (Go plugin key; 0: net.io_timeout).' },
  ];
}

export const KINESIS_OPTIONS: readonly OptionSpec[] = [...kinesisKeys(false), ...shared(false, ['gzip', 'zlib'])];
export const GO_KINESIS_OPTIONS: readonly OptionSpec[] = [...kinesisKeys(true), ...shared(true, ['gzip', 'zlib'])];
