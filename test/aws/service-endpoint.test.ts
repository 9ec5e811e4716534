import { afterEach, describe, expect, it } from 'vitest';
import { s3Output } from '../../plugins/out_s3/index.js';
import { S3Client } from '../../plugins/out_s3/client.js';
import type { S3Output } from '../../plugins/out_s3/s3-output.js';
import { resolveServiceEndpoint } from '../../src/aws/service-endpoint.js';
import { tempDir } from '../helpers/cli.js';
import { closeAll, makeOutput, STATIC_ENV } from '../helpers/output-harness.js';

afterEach(closeAll);

/** Nothing here sends a request: these are the URLs the outputs would use. */
const ISOLATED: NodeJS.ProcessEnv = { AWS_CONFIG_FILE: '/nonexistent/wren-test/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/wren-test/aws-credentials' };

function host(serviceId: string, hostPrefix: string, region: string, env: NodeJS.ProcessEnv = {}, explicit?: string): { host: string; source: string; custom: boolean } {
  const ep = resolveServiceEndpoint({ serviceId, hostPrefix, region, env: { ...ISOLATED, ...env }, explicit, label: "output 'x'" });
  return { host: ep.url.host, source: ep.source, custom: ep.custom };
}

describe('service endpoints (firehose, kinesis, s3): default, FIPS, dual-stack, configured', () => {
  it('regional defaults, and the FIPS / dual-stack forms the AWS SDKs build', () => {
    const fips = { AWS_USE_FIPS_ENDPOINT: 'true' };
    const dual = { AWS_USE_DUALSTACK_ENDPOINT: 'true' };
    const both = { ...fips, ...dual };
    expect(host('firehose', 'firehose', 'us-east-1')).toEqual({ host: 'firehose.us-east-1.amazonaws.com', source: 'the default', custom: false });
    expect(host('firehose', 'firehose', 'us-east-1', fips).host).toBe('firehose-fips.us-east-1.amazonaws.com');
    expect(host('firehose', 'firehose', 'us-east-1', dual).host).toBe('firehose.us-east-1.api.aws');
    expect(host('firehose', 'firehose', 'us-east-1', both).host).toBe('firehose-fips.us-east-1.api.aws');
    expect(host('kinesis', 'kinesis', 'eu-west-1', fips).host).toBe('kinesis-fips.eu-west-1.amazonaws.com');
    expect(host('kinesis', 'kinesis', 'cn-north-1').host).toBe('kinesis.cn-north-1.amazonaws.com.cn');
    expect(host('s3', 's3', 'us-west-2').host).toBe('s3.us-west-2.amazonaws.com');
    expect(host('s3', 's3', 'us-west-2', fips).host).toBe('s3-fips.us-west-2.amazonaws.com');
    expect(host('s3', 's3', 'us-west-2', dual).host).toBe('s3.dualstack.us-west-2.amazonaws.com');
    expect(host('s3', 's3', 'us-west-2', both).host).toBe('s3-fips.dualstack.us-west-2.amazonaws.com');
    expect(host('s3', 's3', 'us-west-2', { AWS_USE_FIPS_ENDPOINT: 'false' }).host).toBe('s3.us-west-2.amazonaws.com');
  });

  it('AWS_ENDPOINT_URL_FIREHOSE / _KINESIS / _S3, then AWS_ENDPOINT_URL; the output key wins over both', () => {
    const env = { AWS_ENDPOINT_URL_FIREHOSE: 'http://127.0.0.1:4001', AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:4002', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4003', AWS_USE_FIPS_ENDPOINT: 'true' };
    expect(host('firehose', 'firehose', 'us-east-1', env)).toEqual({ host: '127.0.0.1:4001', source: 'AWS_ENDPOINT_URL_FIREHOSE', custom: true });
    expect(host('kinesis', 'kinesis', 'us-east-1', env)).toEqual({ host: '127.0.0.1:4002', source: 'AWS_ENDPOINT_URL_KINESIS', custom: true });
    expect(host('s3', 's3', 'us-east-1', env)).toEqual({ host: '127.0.0.1:4003', source: 'AWS_ENDPOINT_URL_S3', custom: true });
    expect(host('kinesis', 'kinesis', 'us-east-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4009' }).host).toBe('127.0.0.1:4009');
    expect(host('kinesis', 'kinesis', 'us-east-1', env, 'http://127.0.0.1:4010')).toEqual({ host: '127.0.0.1:4010', source: 'endpoint', custom: true });
    expect(host('kinesis', 'kinesis', 'us-east-1', env, 'localhost:4011').host).toBe('localhost:4011');
  });

  it('a bad flag or endpoint is one line naming it and the fix', () => {
    expect(() => host('firehose', 'firehose', 'us-east-1', { AWS_USE_DUALSTACK_ENDPOINT: 'yes' })).toThrow(/AWS_USE_DUALSTACK_ENDPOINT is 'yes'; it must be true or false/);
    expect(() => host('s3', 's3', 'us-east-1', {}, 'ftp://127.0.0.1')).toThrow(/output 'x': endpoint 'ftp:\/\/127.0.0.1' must be http:\/\/ or https:\/\//);
  });
});

describe('s3 request style', () => {
  it('virtual-hosted on the default endpoint; path-style on a configured one (IP, localhost) or for a dotted bucket', async () => {
    const mk = async (entries: Array<[string, string]>, env: NodeJS.ProcessEnv = {}) =>
      (await makeOutput<S3Output>(s3Output, [['region', 'us-east-1'], ['store_dir', tempDir('wren-s3-style-')], ...(entries.some(([k]) => k === 'bucket') ? entries : [['bucket', 'logs'] as [string, string], ...entries])], { ...STATIC_ENV, ...env })).out;
    const aws = await mk([]);
    expect([aws.endpoint.host, aws.pathStyle]).toEqual(['s3.us-east-1.amazonaws.com', false]);
    const dual = await mk([], { AWS_USE_DUALSTACK_ENDPOINT: 'true' });
    expect([dual.endpoint.host, dual.pathStyle]).toEqual(['s3.dualstack.us-east-1.amazonaws.com', false]);
    expect((await mk([['endpoint', 'http://127.0.0.1:9000']])).pathStyle).toBe(true);
    expect((await mk([['endpoint', 'http://localhost:9000']])).pathStyle).toBe(true);
    expect((await mk([], { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' })).pathStyle).toBe(true);
    expect((await mk([['bucket', 'my.logs']])).pathStyle).toBe(true);

    const client = (endpoint: string, pathStyle: boolean) => new S3Client({ endpoint: new URL(endpoint), pathStyle, bucket: 'logs' } as ConstructorParameters<typeof S3Client>[0]);
    expect(client('https://s3.us-east-1.amazonaws.com', false).url('a/b c.gz').href).toBe('https://logs.s3.us-east-1.amazonaws.com/a/b%20c.gz');
    expect(client('http://127.0.0.1:9000', true).url('a/b c.gz', '?uploads').href).toBe('http://127.0.0.1:9000/logs/a/b%20c.gz?uploads');
  });
});
