import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWebIdentity } from '../../src/aws/credentials/web-identity.js';
import { dnsSuffix, serviceEndpoint, stsEndpoint } from '../../src/aws/endpoints.js';
import { StsClient } from '../../src/aws/sts.js';
import { createDestinationDispatcher } from '../../src/net/dispatchers.js';
import { startStsFake, type StsFake } from '../helpers/sts-fake.js';
import { failLine, KEYS, tempDir, writeFile } from './helpers.js';

let sts: StsFake;
const dispatcher = createDestinationDispatcher({ env: {} });

beforeAll(async () => {
  sts = await startStsFake({
    secrets: { [KEYS.accessKeyId]: KEYS.secretAccessKey },
    acceptTokens: (t) => t.startsWith('eyJ'),
    deny: ['arn:aws:iam::123456789012:role/forbidden'],
    region: 'eu-west-1',
  });
});
afterAll(async () => {
  await Promise.all([sts.close(), dispatcher.close()]);
});

const client = () => new StsClient({ endpoint: sts.url, region: 'eu-west-1', dispatcher });

describe('STS AssumeRole', () => {
  it('is signed with the source credentials (checked by aws4) and carries the parameters', async () => {
    const c = await client().assumeRole(KEYS, {
      roleArn: 'arn:aws:iam::123456789012:role/logs-writer', sessionName: 'wren-test', externalId: 'ext-42', durationSeconds: 1800,
    });
    expect(c.accessKeyId).toMatch(/^ASIAFAKESTS/);
    expect(c.sessionToken).toBe(sts.issued.get(c.accessKeyId)!.sessionToken);
    expect(c.expiration!.getTime() - Date.now()).toBeGreaterThan(1700_000);
    const call = sts.calls.at(-1)!;
    expect(call).toMatchObject({
      action: 'AssumeRole', signedBy: KEYS.accessKeyId,
      params: { RoleArn: 'arn:aws:iam::123456789012:role/logs-writer', RoleSessionName: 'wren-test', ExternalId: 'ext-42', DurationSeconds: '1800', Version: '2011-06-15' },
    });
  });

  it('session credentials sign with their token; a wrong secret is SignatureDoesNotMatch', async () => {
    const first = await client().assumeRole(KEYS, { roleArn: 'arn:aws:iam::123456789012:role/a', sessionName: 's1' });
    await expect(client().assumeRole(first, { roleArn: 'arn:aws:iam::123456789012:role/b', sessionName: 's2' })).resolves.toBeTruthy();
    expect(await failLine(client().assumeRole({ ...KEYS, secretAccessKey: 'wrong' }, { roleArn: 'arn:aws:iam::1:role/a', sessionName: 'ss' })))
      .toMatch(/STS AssumeRole for arn:aws:iam::1:role\/a failed: SignatureDoesNotMatch: signature mismatch/);
  });

  it('reports STS errors with code, message and a hint', async () => {
    expect(await failLine(client().assumeRole(KEYS, { roleArn: 'arn:aws:iam::123456789012:role/forbidden', sessionName: 'ss' })))
      .toMatch(/AccessDenied: User is not authorized.*\(HTTP 403\).*trust policy/);
  });

  it('an unreachable STS is one line naming the endpoint', async () => {
    const c = new StsClient({ endpoint: 'http://127.0.0.1:1', region: 'eu-west-1', dispatcher });
    expect(await failLine(c.assumeRole(KEYS, { roleArn: 'arn:aws:iam::1:role/a', sessionName: 'ss' }))).toMatch(/at http:\/\/127\.0\.0\.1:1 failed: .*ECONNREFUSED/);
  });
});

describe('web identity (IRSA)', () => {
  it('AssumeRoleWithWebIdentity, unsigned, with the token file read on each call', async () => {
    const file = writeFile(join(tempDir(), 'token'), 'eyJhbGciOi.first');
    const env = { AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/irsa', AWS_ROLE_SESSION_NAME: 'pod-abc' };
    const p = fromWebIdentity(env, client);
    const c = await p();
    expect(sts.issued.get(c.accessKeyId)!.roleArn).toBe('arn:aws:iam::123456789012:role/irsa');
    writeFile(file, 'eyJhbGciOi.second\n');
    await p();
    const calls = sts.calls.filter((x) => x.action === 'AssumeRoleWithWebIdentity').slice(-2);
    expect(calls.map((x) => x.params.WebIdentityToken)).toEqual(['eyJhbGciOi.first', 'eyJhbGciOi.second']);
    expect(calls.every((x) => x.headers.authorization === undefined && x.params.RoleSessionName === 'pod-abc')).toBe(true);
  });

  it('a rejected token, a missing file, half the variables', async () => {
    const file = writeFile(join(tempDir(), 'token'), 'not-a-jwt');
    expect(await failLine(fromWebIdentity({ AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: 'arn:aws:iam::1:role/x' }, client)()))
      .toMatch(/InvalidIdentityToken/);
    expect(await failLine(fromWebIdentity({ AWS_WEB_IDENTITY_TOKEN_FILE: '/nonexistent/t', AWS_ROLE_ARN: 'arn:aws:iam::1:role/x' }, client)()))
      .toMatch(/cannot read the web identity token file \/nonexistent\/t/);
    await expect(fromWebIdentity({ AWS_ROLE_ARN: 'arn:aws:iam::1:role/x' }, client)()).rejects.toMatchObject({ name: 'CredentialsError' });
    await expect(fromWebIdentity({}, client)()).rejects.toMatchObject({ name: 'NotConfigured' });
  });
});

describe('STS endpoints', () => {
  it('regional, with the partition suffix', () => {
    expect(stsEndpoint('eu-west-1', undefined, {})).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(stsEndpoint('cn-north-1', undefined, {})).toBe('https://sts.cn-north-1.amazonaws.com.cn');
    expect(stsEndpoint('us-gov-west-1', undefined, {})).toBe('https://sts.us-gov-west-1.amazonaws.com');
    expect(dnsSuffix('us-iso-east-1')).toBe('c2s.ic.gov');
    expect(serviceEndpoint('logs', 'cn-northwest-1')).toBe('https://logs.cn-northwest-1.amazonaws.com.cn');
  });

  it('aws_sts_endpoint, then AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL', () => {
    const env = { AWS_ENDPOINT_URL_STS: 'https://sts.vpce.example', AWS_ENDPOINT_URL: 'https://all.example' };
    expect(stsEndpoint('eu-west-1', 'http://127.0.0.1:4566/', env)).toBe('http://127.0.0.1:4566');
    expect(stsEndpoint('eu-west-1', undefined, env)).toBe('https://sts.vpce.example');
    expect(stsEndpoint('eu-west-1', undefined, { AWS_ENDPOINT_URL: 'https://all.example' })).toBe('https://all.example');
    expect(() => stsEndpoint('eu-west-1', 'ftp://x', {})).toThrow(/must be http/);
  });
});
