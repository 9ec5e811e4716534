import { afterEach, describe, expect, it } from 'vitest';
import { chunkOf, closeAll, deliver, seqEvents, startFake, startOutput, storedSeqs } from './harness.js';

afterEach(closeAll);

describe('opensearch output: answers of the service', () => {
  it('409 on create is a duplicate already stored: done, not retried, not dropped', async () => {
    const fake = await startFake();
    const { out } = await startOutput(fake, [['generate_id', 'on']]);
    expect(await out.flush(chunkOf(seqEvents(5)))).toEqual({ status: 'ok' });
    // the same records again (a resend after a lost answer): every item answers 409
    expect(await out.flush(chunkOf(seqEvents(5)))).toEqual({ status: 'ok' });
    expect(fake.actions.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 409, 409, 409, 409, 409]);
    expect(storedSeqs(fake)).toEqual([0, 1, 2, 3, 4]);
    expect(fake.signatureFailures).toEqual([]);
  });

  it('a whole-request 429 with Retry-After: retry after it, and send nothing more in that flush', async () => {
    const fake = await startFake({ requestFault: ({ n }) => (n === 1 ? { status: 429, body: { error: { type: 'too_many_requests' }, status: 429 }, headers: { 'retry-after': '2' } } : undefined) });
    const { out } = await startOutput(fake, [['batch_size', '2k']]);
    const events = seqEvents(60);
    const r = await out.flush(chunkOf(events));
    expect(r).toMatchObject({ status: 'retry', retryAfterMs: 2000, only: events.map((_, i) => i) });
    expect((r as { reason: string }).reason).toMatch(/60 record\(s\) to send again: OpenSearch 127\.0\.0\.1:\d+ answered 429/);
    expect(fake.requests).toHaveLength(1);
    const rest = await deliver(out, chunkOf(events));
    expect(rest.at(-1)).toEqual({ status: 'ok' });
    expect(fake.requests.length).toBeGreaterThan(2); // batch_size cut the chunk into several requests
    expect(storedSeqs(fake)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('a record alone over batch_size is dropped with a clear log line; the others are stored', async () => {
    const fake = await startFake();
    const { out, ctx } = await startOutput(fake, [['batch_size', '2k']]);
    const events = seqEvents(4, (i) => (i === 2 ? { msg: 'x'.repeat(5000) } : {}));
    const r = await out.flush(chunkOf(events));
    expect(r).toMatchObject({ status: 'ok', dropped: 1 });
    expect(storedSeqs(fake)).toEqual([0, 1, 3]);
    const line = ctx.logs.find((l) => /too large to send/.test(String(l.msg)))!;
    expect(line.msg).toMatch(/dropping 1 record\(s\) too large to send: the largest is 50\d\d bytes of NDJSON, over batch_size \(2048 bytes\)/);
    expect(line.level).toBe('error');
  });

  it('413 splits in halves down to one record; a record alone over the server cap is dropped with a log line', async () => {
    const fake = await startFake({ maxRequestBytes: 1500 });
    const { out, ctx } = await startOutput(fake, []);
    const events = seqEvents(12, (i) => (i === 5 ? { msg: 'y'.repeat(1600) } : {}));
    const results = await deliver(out, chunkOf(events));
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'ok', dropped: 1 });
    expect(storedSeqs(fake)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
    expect(fake.statuses.filter((s) => s === 413).length).toBeGreaterThanOrEqual(2);
    expect(ctx.logs.some((l) => /dropping 1 record\(s\) too large to send: .* over the request cap of OpenSearch .* \(413\)/.test(String(l.msg)))).toBe(true);
  });

  it('a whole-request 400 (here _type refused by OpenSearch 2) dead-letters the request: counted, not retried for ever', async () => {
    const fake = await startFake();
    const { out } = await startOutput(fake, [['suppress_type_name', 'off']]);
    const r = await out.flush(chunkOf(seqEvents(3)));
    expect(r).toMatchObject({ status: 'ok', dropped: 3 });
    expect((r as { dropReason: string }).dropReason).toMatch(/3× 400 the whole request was refused: .*unknown parameter \[_type\]/);
    expect(fake.documents()).toEqual([]);
  });

  it('with suppress_type_name off and a server that takes types, _type is sent', async () => {
    const fake = await startFake({ rejectType: false });
    const { out } = await startOutput(fake, [['suppress_type_name', 'off'], ['type', 'log']]);
    expect(await out.flush(chunkOf(seqEvents(1)))).toEqual({ status: 'ok' });
    expect(fake.actions[0]!.meta).toEqual({ _index: 'fluent-bit', _type: 'log' });
  });

  it('a network failure retries the records of the request and the ones after it', async () => {
    const fake = await startFake();
    const { out } = await startOutput(fake, [['batch_size', '2k']]);
    const port = fake.port;
    await fake.close();
    const events = seqEvents(40);
    const r = await out.flush(chunkOf(events));
    expect(r).toMatchObject({ status: 'retry', only: events.map((_, i) => i) });
    expect((r as { reason: string }).reason).toMatch(new RegExp(`POST http://127\\.0\\.0\\.1:${port}/_bulk failed: .*ECONNREFUSED`));
  });

  it('upsert merges into the document with the same id; basic auth is sent', async () => {
    const fake = await startFake({ credentials: undefined, basicAuth: { user: 'admin', password: 's3cret' } });
    const { out } = await startOutput(fake, [['write_operation', 'upsert'], ['id_key', 'user'], ['index', 'users'], ['http_user', 'admin'], ['http_passwd', 's3cret'], ['time_key', 'seen']], { signed: false });
    const t = Date.UTC(2025, 0, 1);
    expect(await out.flush(chunkOf([{ time: t, record: { user: 'ann', visits: 1, plan: 'free' } }]))).toEqual({ status: 'ok' });
    expect(await out.flush(chunkOf([{ time: t + 1000, record: { user: 'ann', visits: 2 } }]))).toEqual({ status: 'ok' });
    expect(fake.stored('users')).toEqual([{ index: 'users', id: 'ann', source: { seen: '2025-01-01T00:00:01.000Z', user: 'ann', visits: 2, plan: 'free' } }]);
  });

  it('path and pipeline make the request URL', async () => {
    const fake = await startFake({ credentials: undefined });
    const { out } = await startOutput(fake, [['path', '/search/'], ['pipeline', 'logs-pipe']], { signed: false });
    await out.flush(chunkOf(seqEvents(1)));
    expect(fake.requests[0]!.path).toBe('/search/_bulk?pipeline=logs-pipe');
  });
});
