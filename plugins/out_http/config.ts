import { JSON_DATE_OPTIONS, dateOptions, type DateOptions } from '../../src/codec/json.js';
import type { JsonFormat } from '../../src/codec/json.js';
import type { OptionSpec, PluginOptions } from '../../src/config/types.js';
import { ConfigError } from '../../src/errors.js';
import { splitHeader } from '../../src/config/secrets.js';
import { PROXY_OPTIONS, TLS_OPTIONS, destinationFromOptions, type DestinationKeys } from '../../src/net/options.js';
import { NET_OPTIONS } from '../../src/sink/options.js';
import { headerProblem } from '../../src/net/h1-request-head.js';
import { AWS_OPTIONS } from '../../src/aws/options.js';

export const HTTP_OPTIONS: readonly OptionSpec[] = [
  { key: 'host', type: 'string', default: '127.0.0.1', desc: 'Destination host name or IP address.' },
  { key: 'port', type: 'int', default: 80, min: 1, max: 65535, desc: 'Destination port.' },
  { key: 'uri', type: 'string', default: '/', desc: 'Request path (and query).' },
  {
    key: 'format',
    type: 'string',
    default: 'json',
    enum: ['json', 'json_lines', 'json_stream'],
    desc: 'Body format: json (an array), json_lines (NDJSON), json_stream (objects back to back). msgpack is not supported.',
  },
  { key: 'header', type: 'multi', desc: "NAME VALUE: an extra request header. Repeatable." },
  { key: 'compress', type: 'string', enum: ['gzip', 'none'], default: 'none', desc: 'Compress the body: gzip, or none.' },
  { key: 'http_user', type: 'string', desc: 'Basic auth user name.' },
  { key: 'http_passwd', type: 'string', secret: true, desc: 'Basic auth password.' },
  { key: 'log_response_payload', type: 'bool', default: 'on', desc: "Include the start of the server's answer in error logs." },
  ...JSON_DATE_OPTIONS,
  ...TLS_OPTIONS,
  ...PROXY_OPTIONS,
  ...NET_OPTIONS,
  { key: 'aws_service', type: 'string', desc: 'SigV4 service name when aws_auth is on: osis (OpenSearch Ingestion), es, aoss, …' },
  ...AWS_OPTIONS,
];

export interface HttpConfig extends DestinationKeys {
  url: URL;
  format: JsonFormat;
  headers: Record<string, string>;
  gzip: boolean;
  date: DateOptions;
  logPayload: boolean;
  /** SigV4 service when aws_auth is on. */
  awsService?: string;
}

export function httpConfig(id: string, o: PluginOptions): HttpConfig {
  const tls = o.bool('tls');
  const host = o.str('host');
  const uri = o.str('uri');
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let url: URL;
  try {
    url = new URL(`${tls ? 'https' : 'http'}://${hostPart}:${o.num('port')}${uri.startsWith('/') ? uri : '/' + uri}`);
  } catch (err) {
    throw new ConfigError(`output '${id}': host '${host}' and uri '${uri}' do not make a valid URL`, o.pos('host'), { cause: err });
  }
  const headers: Record<string, string> = {};
  for (const h of o.list('header')) {
    const m = /^\s*([^\s:]+):?\s+(.*)$/.exec(h);
    if (!m) throw new ConfigError(`output '${id}': header '${splitHeader(h).name}' has no value (its text is not printed: it may be a secret)`, o.pos('header'), { hint: "write it as 'NAME VALUE', e.g. 'Authorization Bearer …'" });
    const problem = headerProblem(m[1]!, m[2]!.trim());
    if (problem !== undefined) throw new ConfigError(`output '${id}': header '${m[1]}' cannot be sent: ${problem}`, o.pos('header'), { hint: 'write NAME VALUE on one line, NAME of letters, digits and -; leave Transfer-Encoding, Expect, Upgrade and Keep-Alive to Wren' });
    headers[m[1]!.toLowerCase()] = m[2]!.trim();
  }
  const user = o.optStr('http_user');
  if (user !== undefined) {
    headers.authorization = 'Basic ' + Buffer.from(`${user}:${o.optStr('http_passwd') ?? ''}`).toString('base64');
  }
  return {
    url,
    format: o.str('format') as JsonFormat,
    headers,
    gzip: o.str('compress') === 'gzip',
    date: dateOptions(o.str('json_date_key'), o.str('json_date_format')),
    ...destinationFromOptions(o),
    logPayload: o.bool('log_response_payload'),
    awsService: o.bool('aws_auth') ? awsService(id, o) : undefined,
  };
}

function awsService(id: string, o: PluginOptions): string {
  const s = o.optStr('aws_service')?.trim();
  if (!s) throw new ConfigError(`output '${id}': aws_auth is on but 'aws_service' is not set`, o.pos('aws_auth'), { hint: "set aws_service, e.g. osis for OpenSearch Ingestion" });
  return s;
}
