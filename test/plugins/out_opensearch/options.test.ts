import { describe, expect, it } from 'vitest';
import { opensearchConfig } from '../../../plugins/out_opensearch/config.js';
import { opensearchOutput } from '../../../plugins/out_opensearch/index.js';
import { PLUGINS } from '../../../plugins/index.js';
import type { RawValue } from '../../../src/config/types.js';
import type { ConfigError } from '../../../src/errors.js';
import { resolvedOptions } from '../../helpers/plugin-context.js';

/** The one line a user sees for the error `fn` throws. */
function lineOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as ConfigError).toLine();
  }
  throw new Error('no error thrown');
}

const config = (entries: Array<[string, RawValue]>) => opensearchConfig('es.0', resolvedOptions(opensearchOutput, [['match', '*'], ...entries]), '/etc/wren');

describe('opensearch output options', () => {
  it('is registered as opensearch, alias es, with Fluent Bit defaults', () => {
    expect(PLUGINS.find((p) => p.name === 'opensearch' || p.aliases?.includes('es'))).toBe(opensearchOutput);
    const c = config([]);
    expect(c.url.href).toBe('http://127.0.0.1:9200/_bulk');
    expect(c.batchSize).toBe(5 * 1024 * 1024);
    expect(c.gzip).toBe(false);
    expect(c.gzipLevel).toBe(1);
    expect(c.encode).toMatchObject({ writeOperation: 'create', index: 'fluent-bit', timeKey: '@timestamp', type: undefined, generateId: false, replaceDots: false });
    expect(c.awsService).toBeUndefined();
    expect(resolvedOptions(opensearchOutput, [['match', '*']]).num('workers')).toBe(2);
  });

  it('builds an https URL from host, port, tls, path and pipeline; resolves dead_letter_path from the config folder', () => {
    const c = config([['host', 'search-logs.us-east-1.es.amazonaws.com'], ['port', '443'], ['tls', 'on'], ['path', 'os'], ['pipeline', 'p1'],
      ['dead_letter_path', 'dl/refused.ndjson'], ['aws_auth', 'on'], ['aws_service_name', 'AOSS']]);
    expect(c.url.href).toBe('https://search-logs.us-east-1.es.amazonaws.com/os/_bulk?pipeline=p1');
    expect(c.deadLetterPath).toBe('/etc/wren/dl/refused.ndjson');
    expect(c.awsService).toBe('aoss');
  });

  it('update / upsert without id_key or generate_id is a config error naming the fix', () => {
    expect(lineOf(() => config([['write_operation', 'update']]))).toMatch(/write_operation update needs a document id, and neither id_key nor generate_id is set \(set id_key to the field that holds the id, or generate_id: on\)/);
    expect(() => config([['write_operation', 'upsert']])).toThrow(/upsert needs a document id/);
    expect(config([['write_operation', 'upsert'], ['generate_id', 'on']]).encode.writeOperation).toBe('upsert');
  });

  it('refuses batch_size above 10M unless batch_size_unsafe, saying why', () => {
    expect(lineOf(() => config([['batch_size', '20M']]))).toMatch(/batch_size 20M is above 10M, the request cap of the smaller Amazon OpenSearch Service instance types: larger requests are refused with 413 \(lower it, or set batch_size_unsafe: on/);
    expect(config([['batch_size', '20M'], ['batch_size_unsafe', 'on']]).batchSize).toBe(20 * 1024 * 1024);
    expect(config([['batch_size', '10M']]).batchSize).toBe(10 * 1024 * 1024);
  });

  it('basic auth and SigV4 together is a config error; basic auth alone sets the header', () => {
    expect(() => config([['http_user', 'u'], ['aws_auth', 'on']])).toThrow(/http_user and aws_auth both set the Authorization header/);
    expect(config([['http_user', 'u'], ['http_passwd', 'p']]).headers.authorization).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
  });

  it('warns about ignored combinations', () => {
    expect(config([['id_key', 'id'], ['generate_id', 'on']]).warnings).toEqual(['generate_id is ignored when id_key is set']);
    expect(config([['type', 'log']]).warnings[0]).toMatch(/type 'log' is not sent while suppress_type_name is on/);
    expect(() => config([['aws_service_name', 'lambda']])).toThrow();
  });
});
