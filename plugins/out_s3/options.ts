import type { OptionSpec } from '../../src/config/types.js';
import { CLOUDWATCH_AWS_OPTIONS } from '../../src/aws/options.js';
import { PROXY_OPTIONS, TLS_OPTIONS } from '../../src/net/options.js';
import { NET_OPTIONS } from '../../src/sink/options.js';

/** The s3 output's keys, as Fluent Bit spells them (data only: imports nothing heavy). */
export const S3_OPTIONS: readonly OptionSpec[] = [
  { key: 'bucket', type: 'string', required: true, desc: 'S3 bucket name.' },
  { key: 's3_key_format', type: 'string', default: '/fluent-bit-logs/$TAG/%Y/%m/%d/%H/%M/%S', desc: 'Object key: starts with /; $TAG, $TAG[0]…$TAG[9], $UUID (8 random characters), $INDEX (a counter kept in store_dir), strftime conversions of the first record\'s time (UTC). Without $UUID or $INDEX, PutObject keys end with -object and 8 random characters (as Fluent Bit).' },
  { key: 's3_key_format_tag_delimiters', type: 'string', default: '.', desc: 'Characters that split the tag into $TAG[n] parts.' },
  { key: 'static_file_path', type: 'bool', default: 'off', desc: 'Never append -object<random> to keys without $UUID.' },
  { key: 'total_file_size', type: 'size', default: '100000000', min: 1_000_000, max: 50_000_000_000, desc: 'Size of the objects: an object is completed once this much was sent to it (1M to 50G; under 10M PutObject is used).' },
  { key: 'upload_chunk_size', type: 'size', default: '5242880', min: 5_242_880, desc: 'Size of each multipart part (5M to 50M): data is staged in store_dir until this much is there, then uploaded as a part.' },
  { key: 'upload_timeout', type: 'time', default: '10m', min: 1, desc: 'Complete an object this long after it was started even if smaller than total_file_size.' },
  { key: 'use_put_object', type: 'bool', default: 'off', desc: 'Upload each object whole with PutObject (total_file_size at most 1G) instead of multipart uploads.' },
  { key: 'compression', type: 'string', enum: ['none', 'gzip'], desc: 'gzip: objects are gzip files (Content-Encoding gzip), each up to upload_chunk_size of records, sent with PutObject.' },
  { key: 'content_type', type: 'string', desc: 'Content-Type of the objects.' },
  { key: 'storage_class', type: 'string', desc: 'S3 storage class of the objects (STANDARD, STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR, …).' },
  { key: 'canned_acl', type: 'string', desc: 'Canned ACL of the objects (private, bucket-owner-full-control, …).' },
  { key: 'send_content_md5', type: 'bool', default: 'off', desc: 'Send Content-MD5 with every upload (required by buckets with Object Lock).' },
  { key: 'store_dir', type: 'string', default: '/tmp/fluent-bit/s3', desc: 'Where records are staged on disk until uploaded (a folder per bucket); a restart finishes what was staged, even after a crash.' },
  { key: 'store_dir_limit_size', type: 'size', default: 0, min: 0, desc: 'Most bytes staged in store_dir (0: no limit). When full, flushes are retried (records wait in memory; inputs pause at mem_buf_limit) instead of dropped.' },
  { key: 'preserve_data_ordering', type: 'bool', default: 'on', desc: 'Upload the objects of a tag in order: a failed upload holds back the later ones of its tag.' },
  { key: 'json_date_key', type: 'string', default: 'date', desc: "Key of the record's time in each JSON line; 'false' leaves it out." },
  { key: 'json_date_format', type: 'string', default: 'iso8601', enum: ['double', 'epoch', 'epoch_ms', 'iso8601', 'java_sql_timestamp'], desc: 'How that time is written: iso8601, double, epoch, epoch_ms, java_sql_timestamp.' },
  { key: 'log_key', type: 'string', desc: "Write only this key's value per line (text as is, other values as JSON) instead of the record; records without it are dropped (counted)." },
  { key: 'format', type: 'string', default: 'json_lines', enum: ['json_lines', 'json'], desc: 'json_lines (json is read as json_lines, as Fluent Bit does).' },
  { key: 'auto_retry_requests', type: 'bool', default: 'on', desc: 'Send a request again at once, once, after a network error, before the retry with backoff.' },
  { key: 'endpoint', type: 'string', desc: 'S3 endpoint: a host or a full URL (MinIO, VPC endpoints, tests); default AWS_ENDPOINT_URL_S3, the profile (as the AWS SDKs), else s3.<region> (FIPS / dual-stack with AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT). Path-style requests with any configured endpoint, virtual-hosted with the default.' },
  ...TLS_OPTIONS.filter((o) => o.key !== 'tls'),
  ...PROXY_OPTIONS,
  ...NET_OPTIONS,
  ...CLOUDWATCH_AWS_OPTIONS,
];
