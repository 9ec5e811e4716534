import aws4 from 'aws4';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeCloudWatch } from '../../helpers/fake-cloudwatch-logs.js';
import { closeAll, KEY, SECRET, startFake } from './harness.js';

/**
 * The fake itself, driven by requests signed with `aws4` (not Wren's signer), so the output's
 * tests stand on a fake that behaves like the service.
 */

afterEach(closeAll);

async function call(fake: FakeCloudWatch, op: string, input: unknown, secret = SECRET): Promise<{ status: number; type?: string; body: Record<string, unknown> }> {
  const url = new URL(fake.url);
  const body = JSON.stringify(input);
  const opts = aws4.sign({
    host: url.host, path: '/', method: 'POST', service: 'logs', region: 'us-east-1', body,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${op}` },
  }, { accessKeyId: KEY, secretAccessKey: secret });
  const res = await request(`${fake.url}/`, { method: 'POST', headers: opts.headers as Record<string, string>, body });
  const text = await res.body.text();
  const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  return { status: res.statusCode, type: res.headers['x-amzn-errortype'] as string | undefined, body: parsed };
}

const ev = (timestamp: number, message = 'm') => ({ timestamp, message });

describe('fake CloudWatch Logs', () => {
  it('refuses a bad signature (InvalidSignatureException) and records why', async () => {
    const fake = await startFake();
    const r = await call(fake, 'CreateLogGroup', { logGroupName: 'g' }, 'not-the-secret');
    expect(r.status).toBe(400);
    expect(r.type).toBe('InvalidSignatureException');
    expect(fake.signatureFailures).toHaveLength(1);
    expect(fake.groups.size).toBe(0);
  });

  it('creates groups and streams once, answering ResourceAlreadyExists / ResourceNotFound like the service', async () => {
    const fake = await startFake();
    expect((await call(fake, 'CreateLogStream', { logGroupName: 'g', logStreamName: 's' })).type).toBe('ResourceNotFoundException');
    expect((await call(fake, 'CreateLogGroup', { logGroupName: 'g', logGroupClass: 'INFREQUENT_ACCESS' })).status).toBe(200);
    expect((await call(fake, 'CreateLogGroup', { logGroupName: 'g' })).type).toBe('ResourceAlreadyExistsException');
    expect((await call(fake, 'PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [ev(Date.now())] })).body).toMatchObject({ message: 'The specified log stream does not exist.' });
    expect((await call(fake, 'CreateLogStream', { logGroupName: 'g', logStreamName: 's' })).status).toBe(200);
    expect((await call(fake, 'CreateLogStream', { logGroupName: 'g', logStreamName: 's' })).type).toBe('ResourceAlreadyExistsException');
    expect((await call(fake, 'PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 8 })).type).toBe('InvalidParameterException');
    expect((await call(fake, 'PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 7 })).status).toBe(200);
    expect(fake.groups.get('g')).toMatchObject({ logGroupClass: 'INFREQUENT_ACCESS', retentionInDays: 7 });
    expect(fake.signatureFailures).toEqual([]);
  });

  it('validates PutLogEvents as the service does', async () => {
    const fake = await startFake();
    fake.createGroup('g');
    fake.createStream('g', 's');
    const now = Date.now();
    const put = (logEvents: unknown[]) => call(fake, 'PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents });
    const unsorted = await put([ev(now), ev(now - 1)]);
    expect(unsorted.body.message).toMatch(/chronological order/);
    expect((await put(Array.from({ length: 10_001 }, () => ev(now)))).type).toBe('InvalidParameterException');
    const big = await put([ev(now, 'x'.repeat(1_048_550)), ev(now, 'y')]);
    expect(big.body.message).toBe('Upload too large: 1048603 bytes exceeds limit of 1048576');
    expect((await put([ev(now, 'x'.repeat(1_048_550))])).status).toBe(200);
    expect((await put([ev(now - 25 * 3_600_000), ev(now)])).body.message).toMatch(/cannot span more than 24 hours/);
    expect((await put([ev(now + 0.5)])).type).toBe('SerializationException');
    expect((await put([ev(now, '')])).type).toBe('InvalidParameterException');
    expect(fake.events('g', 's')).toHaveLength(1);
  });

  it('keeps too old / too new events out and says so in rejectedLogEventsInfo', async () => {
    const fake = await startFake();
    fake.createGroup('g');
    fake.createStream('g', 's');
    const now = Date.now();
    const r = await call(fake, 'PutLogEvents', {
      logGroupName: 'g', logStreamName: 's',
      logEvents: [ev(now - 15 * 86_400_000, 'old'), ev(now - 1000, 'a'), ev(now, 'b'), ev(now + 3 * 3_600_000, 'new')],
    });
    expect(r.status).toBe(200);
    expect(r.body.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 0, tooNewLogEventStartIndex: 3 });
    expect(fake.events('g', 's').map((e) => e.message)).toEqual(['a', 'b']);
  });

  it('injects throttling, service faults and expired tokens, namespaced when asked', async () => {
    const fake = await startFake({ namespacedErrors: true });
    fake.inject({ op: 'CreateLogGroup', kind: 'throttle' });
    fake.inject({ op: 'CreateLogGroup', kind: 'unavailable', retryAfter: '1' });
    fake.inject({ op: 'CreateLogGroup', kind: 'expired-token' });
    const a = await call(fake, 'CreateLogGroup', { logGroupName: 'g' });
    expect(a).toMatchObject({ status: 400, type: 'ThrottlingException:http://internal.amazon.com/coral/com.amazonaws.logs/' });
    expect(a.body.__type).toBe('com.amazonaws.logs#ThrottlingException');
    expect((await call(fake, 'CreateLogGroup', { logGroupName: 'g' })).status).toBe(503);
    expect((await call(fake, 'CreateLogGroup', { logGroupName: 'g' })).body.__type).toBe('com.amazonaws.logs#ExpiredTokenException');
    expect((await call(fake, 'CreateLogGroup', { logGroupName: 'g' })).status).toBe(200);
    fake.expireKey(KEY);
    expect((await call(fake, 'CreateLogGroup', { logGroupName: 'h' })).body.message).toMatch(/expired/);
  });
});
