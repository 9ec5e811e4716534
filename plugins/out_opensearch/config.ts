import { isAbsolute, resolve } from 'node:path';
import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { formatSize } from '../../src/config/values.js';
import { ConfigError } from '../../src/errors.js';
import { AWS_OPTIONS } from '../../src/aws/options.js';
import { PROXY_OPTIONS, TLS_OPTIONS, destinationFromOptions, type DestinationKeys } from '../../src/net/options.js';
import { compileAccessor, compileTemplate, type Path, type Template } from '../../src/record/accessor.js';
import { NET_OPTIONS } from '../../src/sink/options.js';
import { compileStrftime, hasConversion, type Strftime } from '../../src/codec/strftime.js';
import { fileMode, fileModeOption } from '../../src/sink/file-mode.js';

/** The smallest request cap of Amazon OpenSearch Service (instance types up to large: 10 MiB). */
export const SAFE_BATCH_MAX = 10 * 1024 * 1024;

export const OPENSEARCH_OPTIONS: readonly OptionSpec[] = [
  { key: 'host', type: 'string', default: '127.0.0.1', desc: 'OpenSearch host name or IP address (the domain or collection endpoint, without https://).' },
  { key: 'port', type: 'int', default: 9200, min: 1, max: 65535, desc: 'TCP port (443 for Amazon OpenSearch Service with tls on).' },
  { key: 'path', type: 'string', default: '', desc: 'Path prefix before /_bulk, for an OpenSearch behind a reverse proxy on a sub-path.' },
  { key: 'pipeline', type: 'string', desc: 'Ingest pipeline for the documents (?pipeline=…).' },
  { key: 'index', type: 'string', default: 'fluent-bit', desc: "Index name. May hold strftime conversions (current time) or record accessors ($kubernetes['namespace_name'])." },
  { key: 'type', type: 'string', default: '_doc', desc: 'Document type, sent only with suppress_type_name off (Elasticsearch 6 and older).' },
  { key: 'suppress_type_name', type: 'bool', default: 'on', desc: 'Leave _type out of the action lines (OpenSearch 2 refuses it). Fluent Bit defaults to off; Wren to on.' },
  { key: 'logstash_format', type: 'bool', default: 'off', desc: 'Index name from logstash_prefix and the record time: logstash-YYYY.MM.DD.' },
  { key: 'logstash_prefix', type: 'string', default: 'logstash', desc: 'Index name prefix with logstash_format.' },
  { key: 'logstash_prefix_separator', type: 'string', default: '-', desc: 'Text between the prefix and the date with logstash_format.' },
  { key: 'logstash_prefix_key', type: 'string', desc: "Record accessor whose value replaces logstash_prefix when the record has it ($kubernetes['namespace_name'])." },
  { key: 'logstash_dateformat', type: 'string', default: '%Y.%m.%d', desc: 'strftime format of the date part of the index name (UTC).' },
  { key: 'current_time_index', type: 'bool', default: 'off', desc: "Name indices by the time of sending instead of the record's time." },
  { key: 'time_key', type: 'string', default: '@timestamp', desc: "Key added to every document with the record's time (kept as is when the record already has it)." },
  { key: 'time_key_format', type: 'string', default: '%Y-%m-%dT%H:%M:%S', desc: 'strftime format of the time key (UTC); milliseconds and Z are appended.' },
  { key: 'time_key_nanos', type: 'bool', default: 'off', desc: 'Append nanoseconds instead of milliseconds to the time key.' },
  { key: 'include_tag_key', type: 'bool', default: 'off', desc: 'Add the tag to every document.' },
  { key: 'tag_key', type: 'string', default: 'flb-key', desc: 'Key of the tag with include_tag_key.' },
  { key: 'generate_id', type: 'bool', default: 'off', desc: 'Give each document an _id hashed from its content, so a resent record is not stored twice.' },
  { key: 'id_key', type: 'string', desc: 'Record accessor whose value is the _id (generate_id is then ignored).' },
  { key: 'write_operation', type: 'string', default: 'create', enum: ['create', 'index', 'update', 'upsert'], desc: 'Bulk action: create, index, update or upsert (update and upsert need id_key or generate_id).' },
  { key: 'replace_dots', type: 'bool', default: 'off', desc: "Replace dots in key names with '_' (at every level)." },
  { key: 'http_user', type: 'string', desc: 'Basic auth user name (not with aws_auth).' },
  { key: 'http_passwd', type: 'string', secret: true, desc: 'Basic auth password.' },
  { key: 'compress', type: 'string', enum: ['gzip', 'none'], default: 'none', desc: 'Compress request bodies: gzip, or none.' },
  { key: 'compress_level', type: 'int', default: 1, min: 1, max: 9, desc: 'gzip level: 1 is about 3x faster than 6 for a ratio a few percent lower (bench/opensearch.bench.mjs).' },
  { key: 'batch_size', type: 'size', default: '5M', min: 1024, desc: 'Largest request body (uncompressed NDJSON); a chunk is cut into requests under it. At most 10M unless batch_size_unsafe is on.' },
  { key: 'batch_size_unsafe', type: 'bool', default: 'off', desc: 'Allow batch_size above 10M, for domains whose instance type takes 100 MiB requests.' },
  { key: 'dead_letter_path', type: 'string', desc: 'NDJSON file that receives documents OpenSearch refused for good (mapping errors), with the reason.' },
  fileModeOption('dead_letter_file_mode', 'the dead_letter_path file'),
  { key: 'trace_error', type: 'bool', default: 'off', desc: "Log OpenSearch's whole answer (up to 4 KB) when it reports errors." },
  { key: 'trace_output', type: 'bool', default: 'off', desc: 'Log the start (4 KB) of every request body, for diagnostics.' },
  { key: 'buffer_size', type: 'string', desc: "Accepted for Fluent Bit configs and ignored: Wren always reads OpenSearch's whole answer." },
  { key: 'workers', type: 'int', default: 2, min: 1, max: 64, desc: 'Flushes in flight: two overlap compression on the thread pool with encoding on the main thread.' },
  { key: 'aws_service_name', type: 'string', default: 'es', enum: ['es', 'aoss'], desc: 'SigV4 service with aws_auth: es (managed OpenSearch) or aoss (OpenSearch Serverless).' },
  ...TLS_OPTIONS,
  ...PROXY_OPTIONS,
  ...NET_OPTIONS,
  ...AWS_OPTIONS,
];

export type WriteOperation = 'create' | 'index' | 'update' | 'upsert';

/** What the encoder needs: how each record becomes an action line and a document. */
export interface EncodeOptions {
  writeOperation: WriteOperation;
  /** `_type` in action lines; undefined when suppressed. */
  type?: string;
  /** Fixed index name (also the fallback of indexTemplate). */
  index: string;
  /** `index` with record accessors, rendered per record. */
  indexTemplate?: Template;
  /** `index` with strftime conversions, formatted with the current time once per flush. */
  indexStrftime?: Strftime;
  logstash?: { prefix: string; separator: string; prefixKey?: Template; date: Strftime };
  currentTimeIndex: boolean;
  timeKey: string;
  timeFormat: Strftime;
  timeNanos: boolean;
  tagKey?: string;
  generateId: boolean;
  idKey?: Path;
  replaceDots: boolean;
}

export interface OpenSearchConfig extends DestinationKeys {
  url: URL;
  headers: Record<string, string>;
  gzip: boolean;
  gzipLevel: number;
  batchSize: number;
  encode: EncodeOptions;
  deadLetterPath?: string;
  deadLetterMode: number;
  traceError: boolean;
  traceOutput: boolean;
  /** SigV4 service when aws_auth is on. */
  awsService?: 'es' | 'aoss';
  /** Things worth a warning at start (the options still work). */
  warnings: string[];
}

function bulkUrl(id: string, o: PluginOptions): URL {
  const host = o.str('host').trim();
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let path = o.str('path').trim();
  if (path && !path.startsWith('/')) path = '/' + path;
  path = path.replace(/\/+$/, '');
  const pipeline = o.optStr('pipeline');
  try {
    const url = new URL(`${o.bool('tls') ? 'https' : 'http'}://${hostPart}:${o.num('port')}${path}/_bulk`);
    if (pipeline) url.searchParams.set('pipeline', pipeline);
    return url;
  } catch (err) {
    throw new ConfigError(`output '${id}': host '${host}' and path '${path}' do not make a valid URL`, o.pos('host'), { cause: err, hint: 'host is a name or address without a scheme, path a URL path' });
  }
}

function template(id: string, o: PluginOptions, key: string, text: string): Template {
  const t = compileTemplate(text);
  if (!/\$/.test(text)) throw new ConfigError(`output '${id}': ${key} '${text}' has no record accessor`, o.pos(key));
  return t;
}

function encodeOptions(id: string, o: PluginOptions, warnings: string[]): EncodeOptions {
  const writeOperation = o.str('write_operation').toLowerCase() as WriteOperation;
  const idKeyText = o.optStr('id_key');
  let idKey: Path | undefined;
  if (idKeyText !== undefined) {
    idKey = compileAccessor(idKeyText);
    if (idKey === undefined) throw new ConfigError(`output '${id}': id_key '${idKeyText}' is not a record accessor`, o.pos('id_key'), { hint: "write a key name, or $a['b'] for a nested one" });
  }
  let generateId = o.bool('generate_id');
  if (idKey && generateId) {
    warnings.push('generate_id is ignored when id_key is set');
    generateId = false;
  }
  if ((writeOperation === 'update' || writeOperation === 'upsert') && !idKey && !generateId) {
    throw new ConfigError(`output '${id}': write_operation ${writeOperation} needs a document id, and neither id_key nor generate_id is set`, o.pos('write_operation'), {
      hint: 'set id_key to the field that holds the id, or generate_id: on',
    });
  }
  const index = o.str('index');
  const prefixKey = o.optStr('logstash_prefix_key');
  return {
    writeOperation,
    type: o.bool('suppress_type_name') ? undefined : o.str('type'),
    index,
    indexTemplate: index.includes('$') ? template(id, o, 'index', index) : undefined,
    indexStrftime: !index.includes('$') && hasConversion(index) ? compileStrftime(index) : undefined,
    logstash: o.bool('logstash_format')
      ? {
          prefix: o.str('logstash_prefix'),
          separator: o.str('logstash_prefix_separator'),
          prefixKey: prefixKey === undefined ? undefined : template(id, o, 'logstash_prefix_key', prefixKey.startsWith('$') ? prefixKey : '$' + prefixKey),
          date: compileStrftime(o.str('logstash_dateformat')),
        }
      : undefined,
    currentTimeIndex: o.bool('current_time_index'),
    timeKey: o.str('time_key'),
    timeFormat: compileStrftime(o.str('time_key_format')),
    timeNanos: o.bool('time_key_nanos'),
    tagKey: o.bool('include_tag_key') ? o.str('tag_key') : undefined,
    generateId,
    idKey,
    replaceDots: o.bool('replace_dots'),
  };
}

export function opensearchConfig(id: string, o: PluginOptions, baseDir: string): OpenSearchConfig {
  const warnings: string[] = [];
  const batchSize = o.num('batch_size');
  if (batchSize > SAFE_BATCH_MAX && !o.bool('batch_size_unsafe')) {
    throw new ConfigError(`output '${id}': batch_size ${formatSize(batchSize)} is above 10M, the request cap of the smaller Amazon OpenSearch Service instance types: larger requests are refused with 413`, o.pos('batch_size'), {
      hint: 'lower it, or set batch_size_unsafe: on if your domain takes 100 MiB requests',
    });
  }
  const awsAuth = o.bool('aws_auth');
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson', 'user-agent': 'wren' };
  const user = o.optStr('http_user');
  if (user !== undefined) {
    if (awsAuth) {
      throw new ConfigError(`output '${id}': http_user and aws_auth both set the Authorization header`, o.pos('http_user'), { hint: 'use one: basic auth (fine-grained access control users) or SigV4' });
    }
    headers.authorization = 'Basic ' + Buffer.from(`${user}:${o.optStr('http_passwd') ?? ''}`).toString('base64');
  }
  const encode = encodeOptions(id, o, warnings);
  const awsService = awsAuth ? (o.str('aws_service_name').toLowerCase() as 'es' | 'aoss') : undefined;
  if (awsService === 'aoss' && (encode.idKey || encode.generateId)) {
    warnings.push('OpenSearch Serverless time-series collections refuse a custom _id (id_key / generate_id): their documents will be refused');
  }
  if (encode.type === undefined && o.has('type') && o.raw('type') !== '_doc') {
    warnings.push(`type '${o.str('type')}' is not sent while suppress_type_name is on (set suppress_type_name: off for Elasticsearch 6)`);
  }
  const dl = o.optStr('dead_letter_path');
  return {
    url: bulkUrl(id, o),
    headers,
    gzip: o.str('compress').toLowerCase() === 'gzip',
    gzipLevel: o.num('compress_level'),
    batchSize,
    encode,
    deadLetterPath: dl === undefined || dl === '' ? undefined : isAbsolute(dl) ? dl : resolve(baseDir, dl),
    deadLetterMode: fileMode(o, 'dead_letter_file_mode', id),
    traceError: o.bool('trace_error'),
    traceOutput: o.bool('trace_output'),
    ...destinationFromOptions(o),
    awsService,
    warnings,
  };
}
