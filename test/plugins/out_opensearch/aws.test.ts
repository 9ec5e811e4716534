import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startContainerFake } from '../../helpers/container-fake.js';
import { startFakeOpenSearch } from '../../helpers/fake-opensearch.js';
import { chunkOf, closeAll, deliver, KEY, onClose, seqEvents, startFake, startOutput, storedSeqs } from './harness.js';

afterEach(closeAll);

describe('opensearch output with SigV4', () => {
  it('an expired-token 403 refreshes the credentials once and re-signs the same body', async () => {
    const creds = await startContainerFake({ token: () => 'tok' });
    onClose(() => creds.close());
    // the first credentials the container endpoint hands out are already expired for OpenSearch
    const fake = await startFakeOpenSearch({
      credentials: (akid) => {
        const i = creds.issued.findIndex((c) => c.accessKeyId === akid);
        if (i < 0) return undefined;
        const c = creds.issued[i]!;
        return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.token, expired: i === 0 };
      },
    });
    onClose(() => fake.close());
    const { out, ctx } = await startOutput(fake, [['compress', 'gzip'], ['aws_credential_chain', 'container']], {
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${creds.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expect(await out.flush(chunkOf(seqEvents(20)))).toEqual({ status: 'ok' });
    expect(fake.statuses).toEqual([403, 200]);
    expect(fake.verified).toBe(2); // both signatures were good; the first key was expired
    expect(fake.signatureFailures).toEqual([]);
    expect(creds.issued).toHaveLength(2);
    expect(gunzipSync(fake.requests[1]!.body).equals(gunzipSync(fake.requests[0]!.body))).toBe(true);
    expect(fake.requests[1]!.headers['x-amz-security-token']).toBe(creds.issued[1]!.token);
    expect(storedSeqs(fake)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(ctx.logs.some((l) => /refused the credentials .*expired.*refreshed them and re-signed once/.test(String(l.msg)))).toBe(true);
  });

  it('aoss signs with service aoss and sends x-amz-content-sha256 of the body as sent', async () => {
    const fake = await startFake({ service: 'aoss', region: 'eu-west-1' });
    const { out } = await startOutput(fake, [['aws_service_name', 'aoss'], ['aws_region', 'eu-west-1'], ['compress', 'gzip'], ['index', 'logs']]);
    expect(await out.flush(chunkOf(seqEvents(5)))).toEqual({ status: 'ok' });
    const r = fake.requests[0]!;
    expect(r.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(r.body).digest('hex'));
    expect(r.headers.authorization).toMatch(/\/eu-west-1\/aoss\/aws4_request, SignedHeaders=[^,]*x-amz-content-sha256/);
    expect(fake.signatureFailures).toEqual([]);
    expect(storedSeqs(fake, 'logs')).toEqual([0, 1, 2, 3, 4]);
  });

  it('a Serverless time-series collection refuses a custom _id: dead-lettered with the reason, and warned at start', async () => {
    const fake = await startFake({ service: 'aoss', timeSeries: true });
    const { out, ctx } = await startOutput(fake, [['aws_service_name', 'aoss'], ['generate_id', 'on']]);
    expect(ctx.logs.some((l) => /time-series collections refuse a custom _id/.test(String(l.msg)))).toBe(true);
    const r = await out.flush(chunkOf(seqEvents(2)));
    expect(r).toMatchObject({ status: 'ok', dropped: 2 });
    expect((r as { dropReason: string }).dropReason).toMatch(/Document ID is not supported in create\/index operation request/);
  });

  it('a signature the service does not accept is retried (not dropped) after one refresh', async () => {
    const fake = await startFake({ credentials: [{ accessKeyId: KEY, secretAccessKey: 'not-the-secret-the-client-has' }] });
    const { out } = await startOutput(fake, []);
    const events = seqEvents(3);
    const r = await out.flush(chunkOf(events));
    expect(r).toMatchObject({ status: 'retry', only: events.map((_, i) => i) });
    expect((r as { reason: string }).reason).toMatch(/answered 403: .*signature we calculated does not match.*check the credentials/);
    expect(fake.requests).toHaveLength(2); // sent, refused, refreshed and re-signed once
    expect(fake.signatureFailures).toHaveLength(2);
  });

  it('delivers through 50 flushes of a rotating-credentials chain without a signature failure', async () => {
    const creds = await startContainerFake({ token: () => 'tok', credentialTtlMs: 60_000 });
    onClose(() => creds.close());
    const fake = await startFakeOpenSearch({
      credentials: (akid) => {
        const c = creds.issued.find((x) => x.accessKeyId === akid);
        return c && { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.token };
      },
    });
    onClose(() => fake.close());
    const { out } = await startOutput(fake, [['aws_credential_chain', 'container']], {
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${creds.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    for (let i = 0; i < 50; i++) await deliver(out, chunkOf(seqEvents(2, () => ({ round: i }))));
    expect(fake.verified).toBe(50);
    expect(fake.signatureFailures).toEqual([]);
    expect(fake.documents()).toHaveLength(100);
  });
});
