import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configuredEndpoint, endpointVariable } from '../../src/aws/configured-endpoint.js';
import { stsEndpoint } from '../../src/aws/endpoints.js';
import { tempDir, writeFile } from './helpers.js';

// Endpoints from the environment and the shared config file, as every AWS SDK reads them (SDKs and
// Tools Reference Guide, "Service-specific endpoints"; the cases follow the SDKs' public
// configured-endpoint test vectors, written anew).

const CONFIG = `[default]
region = us-east-1

[profile global_only]
endpoint_url = https://global.profile.example

[profile service_only]
services = local

[profile both]
endpoint_url = https://global.profile.example
services = local

[profile both_ignored]
endpoint_url = https://global.profile.example
services = local
ignore_configured_endpoint_urls = true

[services local]
sts =
  endpoint_url = https://sts.services.example
cloudwatch_logs =
  endpoint_url = https://logs.services.example
s3 =
  endpoint_url = https://s3.services.example
`;

const home = tempDir('wren-endpoints-');
const cfg = writeFile(join(home, '.aws', 'config'), CONFIG);
const base = { HOME: home, AWS_CONFIG_FILE: cfg };

const ENVS: Record<string, NodeJS.ProcessEnv> = {
  none: {},
  global: { AWS_ENDPOINT_URL: 'https://global.env.example' },
  service: { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'https://logs.env.example' },
  both: { AWS_ENDPOINT_URL: 'https://global.env.example', AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'https://logs.env.example' },
  both_ignored: { AWS_ENDPOINT_URL: 'https://global.env.example', AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'https://logs.env.example', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
};

// [output endpoint key, environment, profile, expected endpoint (undefined: the service's default)]
const TABLE: Array<[string | undefined, keyof typeof ENVS, string, string | undefined]> = [
  [undefined, 'none', 'default', undefined],
  [undefined, 'none', 'global_only', 'https://global.profile.example'],
  [undefined, 'none', 'service_only', 'https://logs.services.example'],
  [undefined, 'none', 'both', 'https://logs.services.example'], // profile: service beats global
  [undefined, 'global', 'default', 'https://global.env.example'],
  [undefined, 'global', 'both', 'https://global.env.example'], // global env beats the profile's service entry
  [undefined, 'service', 'default', 'https://logs.env.example'],
  [undefined, 'service', 'both', 'https://logs.env.example'],
  [undefined, 'both', 'both', 'https://logs.env.example'], // service env beats global env
  [undefined, 'both_ignored', 'both', undefined], // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true: env and profile off
  [undefined, 'both', 'both_ignored', undefined], // the profile's ignore_configured_endpoint_urls = true: the same
  ['https://own.example', 'both', 'both', 'https://own.example'], // the output's own key beats everything
  ['https://own.example', 'both_ignored', 'both_ignored', 'https://own.example'], // and is never ignored
];

describe('configured endpoints: precedence', () => {
  it.each(TABLE)('endpoint key %s, env %s, profile %s → %s', (own, envName, profile, expected) => {
    const env = { ...base, ...ENVS[envName] };
    const got = configuredEndpoint('cloudwatch_logs', { env, profile, explicit: { value: own, key: 'endpoint' } });
    expect(got?.value).toBe(expected);
  });

  it('says where each one came from', () => {
    const at = (envName: keyof typeof ENVS, profile: string) => configuredEndpoint('cloudwatch_logs', { env: { ...base, ...ENVS[envName] }, profile })?.source;
    expect(at('service', 'default')).toBe('AWS_ENDPOINT_URL_CLOUDWATCH_LOGS');
    expect(at('global', 'default')).toBe('AWS_ENDPOINT_URL');
    expect(at('none', 'service_only')).toBe(`cloudwatch_logs endpoint_url of [services local] in ${cfg}`);
    expect(at('none', 'global_only')).toBe(`endpoint_url of profile "global_only" in ${cfg}`);
  });

  it('the profile is the output\'s, else AWS_PROFILE, else AWS_DEFAULT_PROFILE, else default', () => {
    expect(configuredEndpoint('sts', { env: { ...base, AWS_PROFILE: 'service_only' } })?.value).toBe('https://sts.services.example');
    expect(configuredEndpoint('sts', { env: { ...base, AWS_DEFAULT_PROFILE: 'global_only' } })?.value).toBe('https://global.profile.example');
    expect(configuredEndpoint('sts', { env: { ...base, AWS_PROFILE: 'service_only' }, profile: 'default' })).toBeUndefined();
  });

  it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false, when set, decides over the profile\'s setting', () => {
    expect(configuredEndpoint('cloudwatch_logs', { env: { ...base, ...ENVS.service, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }, profile: 'both_ignored' })?.value)
      .toBe('https://logs.env.example');
    expect(() => configuredEndpoint('sts', { env: { ...base, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'yes please' } }))
      .toThrow(/AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is 'yes please'; it must be true or false/);
  });
});

describe('configured endpoints: one variable and one services key per service id', () => {
  it.each([
    ['sts', 'AWS_ENDPOINT_URL_STS'], ['cloudwatch_logs', 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS'],
    ['firehose', 'AWS_ENDPOINT_URL_FIREHOSE'], ['kinesis', 'AWS_ENDPOINT_URL_KINESIS'], ['s3', 'AWS_ENDPOINT_URL_S3'],
  ])('%s reads %s and no other service\'s', (id, variable) => {
    expect(endpointVariable(id)).toBe(variable);
    const env = { ...base, [variable]: `https://${id}.env.example`, AWS_ENDPOINT_URL_DYNAMODB: 'https://ddb.env.example' };
    expect(configuredEndpoint(id, { env })?.value).toBe(`https://${id}.env.example`);
    for (const other of ['sts', 'cloudwatch_logs', 'firehose', 'kinesis', 's3'].filter((o) => o !== id)) {
      expect(configuredEndpoint(other, { env })).toBeUndefined();
    }
  });

  it('a services section names endpoints for its services only', () => {
    const env = { ...base, AWS_PROFILE: 'service_only' };
    expect(configuredEndpoint('s3', { env })?.value).toBe('https://s3.services.example');
    expect(configuredEndpoint('kinesis', { env })).toBeUndefined();
  });
});

describe('STS endpoint', () => {
  it('sts_endpoint, then the configured ones, then the regional endpoint', () => {
    expect(stsEndpoint('eu-west-1', 'https://own.example', { ...base, AWS_ENDPOINT_URL_STS: 'https://sts.env.example' })).toBe('https://own.example');
    expect(stsEndpoint('eu-west-1', undefined, { ...base, AWS_ENDPOINT_URL_STS: 'https://sts.env.example' })).toBe('https://sts.env.example');
    expect(stsEndpoint('eu-west-1', undefined, base, 'service_only')).toBe('https://sts.services.example');
    expect(stsEndpoint('eu-west-1', undefined, { ...base, AWS_PROFILE: 'both_ignored' })).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(() => stsEndpoint('eu-west-1', undefined, { ...base, AWS_ENDPOINT_URL_STS: 'ftp://x' })).toThrow(/AWS_ENDPOINT_URL_STS 'ftp:\/\/x' must be http:\/\/ or https:\/\//);
  });
});
