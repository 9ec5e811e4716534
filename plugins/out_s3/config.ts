import { isAbsolute, join, resolve } from 'node:path';
import type { PluginOptions } from '../../src/config/types.js';
import { ConfigError } from '../../src/errors.js';
import { dateOptions, type DateOptions } from '../../src/codec/json.js';
import { destinationFromOptions, type DestinationKeys } from '../../src/net/options.js';
import { compileAccessor, type Path } from '../../src/record/accessor.js';
import { parseRetryLimit } from '../../src/config/common-options.js';

/** S3's limits that shape the upload plan. */
export const MIN_PART = 5 * 1024 * 1024;
export const MAX_PART = 50_000_000;
export const MAX_PARTS = 10_000;
export const MAX_PUT_OBJECT = 1_000_000_000;

export interface S3Config extends DestinationKeys {
  bucket: string;
  keyFormat: string;
  tagDelimiters: string;
  staticFilePath: boolean;
  totalFileSize: number;
  /** Bytes staged before a part (multipart) or an object (put) is cut. */
  chunkSize: number;
  uploadTimeoutMs: number;
  /** Objects go whole with PutObject (use_put_object, small total_file_size, or gzip). */
  putObject: boolean;
  gzip: boolean;
  contentType?: string;
  storageClass?: string;
  cannedAcl?: string;
  contentMd5: boolean;
  /** store_dir/<bucket>. */
  dir: string;
  dirLimit: number;
  ordered: boolean;
  date: DateOptions;
  logKey?: Path;
  logKeyText?: string;
  autoRetry: boolean;
  endpoint?: string;
  retryLimit: number;
  notes: string[];
}

/** S3 bucket names: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit. */
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function s3Config(id: string, o: PluginOptions, baseDir: string): S3Config {
  const label = `output '${id}'`;
  const bucket = o.str('bucket').trim();
  if (!BUCKET_RE.test(bucket)) {
    throw new ConfigError(`${label}: bucket '${bucket}' is not an S3 bucket name`, o.pos('bucket'), { hint: 'use 3-63 lower-case letters, digits, dots and hyphens' });
  }
  const keyFormat = o.str('s3_key_format').trim();
  if (!keyFormat.startsWith('/')) throw new ConfigError(`${label}: s3_key_format must start with a '/'`, o.pos('s3_key_format'), { hint: `write it as /${keyFormat}` });
  const notes: string[] = [];
  const total = o.num('total_file_size');
  const gzip = o.optStr('compression')?.toLowerCase() === 'gzip';
  let putObject = o.bool('use_put_object');
  let chunk = o.num('upload_chunk_size');
  if (!putObject && !gzip && total < 2 * MIN_PART) {
    notes.push(`total_file_size is under 10M: objects are sent whole with PutObject`);
    putObject = true;
  }
  if (!putObject && !gzip) {
    if (chunk > MAX_PART) throw new ConfigError(`${label}: upload_chunk_size is at most 50M`, o.pos('upload_chunk_size'));
    if (chunk > total) throw new ConfigError(`${label}: upload_chunk_size cannot be larger than total_file_size`, o.pos('upload_chunk_size'));
    if (chunk !== MIN_PART && chunk * 2 > total) throw new ConfigError(`${label}: total_file_size is less than 2x upload_chunk_size`, o.pos('total_file_size'));
  }
  if (putObject) {
    if (total > MAX_PUT_OBJECT) throw new ConfigError(`${label}: total_file_size is at most 1G with use_put_object`, o.pos('total_file_size'));
    chunk = total;
  }
  if (gzip) {
    putObject = true;
    if (o.bool('use_put_object')) chunk = total;
  }
  const storeDir = o.str('store_dir');
  const keyText = o.optStr('log_key')?.trim() || undefined;
  const logKey = keyText === undefined ? undefined : compileAccessor(keyText);
  if (keyText !== undefined && logKey === undefined) throw new ConfigError(`${label}: log_key '${keyText}' is not a key or a record accessor`, o.pos('log_key'));
  const retryLimit = parseRetryLimit(o.optStr('retry_limit') ?? 'no_limits') ?? Infinity;
  return {
    bucket,
    keyFormat,
    tagDelimiters: o.str('s3_key_format_tag_delimiters'),
    staticFilePath: o.bool('static_file_path'),
    totalFileSize: total,
    chunkSize: chunk,
    uploadTimeoutMs: o.num('upload_timeout'),
    putObject,
    gzip,
    contentType: o.optStr('content_type') || undefined,
    storageClass: o.optStr('storage_class') || undefined,
    cannedAcl: o.optStr('canned_acl') || undefined,
    contentMd5: o.bool('send_content_md5'),
    dir: join(isAbsolute(storeDir) ? storeDir : resolve(baseDir, storeDir), bucket),
    dirLimit: o.num('store_dir_limit_size'),
    ordered: o.bool('preserve_data_ordering'),
    date: dateOptions(o.str('json_date_key'), o.str('json_date_format')),
    logKey,
    logKeyText: keyText,
    autoRetry: o.bool('auto_retry_requests'),
    endpoint: o.optStr('endpoint')?.trim() || undefined,
    retryLimit,
    ...destinationFromOptions(o),
    notes,
  };
}
