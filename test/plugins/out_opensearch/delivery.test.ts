import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeOpenSearch } from '../../helpers/fake-opensearch.js';
import { tempDir } from '../../helpers/cli.js';
import { chunkOf, closeAll, deliver, seqEvents, startFake, startOutput, storedSeqs } from './harness.js';

afterEach(closeAll);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const seqOf = (line: string) => (JSON.parse(line) as { seq: number }).seq;

/** Once a document got a 2xx (or a 409 on create), it is never sent again. */
function expectNoResendAfterAccept(fake: FakeOpenSearch): void {
  const accepted = new Set<number>();
  for (const a of fake.actions) {
    const seq = seqOf(a.line);
    expect(accepted.has(seq), `seq ${seq} sent again after it was accepted`).toBe(false);
    if ((a.status >= 200 && a.status < 300) || (a.status === 409 && a.op === 'create')) accepted.add(seq);
  }
}

describe('opensearch output against a loopback _bulk (every signature checked with aws4)', () => {
  it('stores the exact documents, gzip-compressed and signed for es', async () => {
    const fake = await startFake();
    const { out } = await startOutput(fake, [['compress', 'gzip'], ['index', 'app-logs']]);
    expect(await out.flush(chunkOf(seqEvents(3)))).toEqual({ status: 'ok' });
    expect(fake.documents('app-logs')).toEqual([
      { '@timestamp': '2025-03-14T09:00:00.000Z', seq: 0, msg: 'message 0' },
      { '@timestamp': '2025-03-14T09:00:00.001Z', seq: 1, msg: 'message 1' },
      { '@timestamp': '2025-03-14T09:00:00.002Z', seq: 2, msg: 'message 2' },
    ]);
    const r = fake.requests[0]!;
    expect(r.path).toBe('/_bulk');
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['content-type']).toBe('application/x-ndjson');
    expect(r.headers.authorization).toMatch(/Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/es\/aws4_request/);
    expect(fake.signatureFailures).toEqual([]);
    expect(fake.verified).toBe(1);
  });

  it('every record arrives exactly once across item 429s and 5xx, 413 splits and whole-request 503s', async () => {
    const N = 3000;
    const fake = await startFake({
      maxRequestBytes: 60_000,
      itemFault: ({ doc, attempt }) => {
        const seq = doc.seq as number;
        if (seq % 13 === 0 && attempt === 1) return { status: 429, reason: 'rejected execution of coordinating operation' };
        if (seq % 17 === 0 && attempt <= 2) return { status: 503, type: 'unavailable_shards_exception', reason: 'primary shard is not active' };
        if (seq % 29 === 0 && attempt === 1) return { status: 500, type: 'exception', reason: 'boom' };
        return undefined;
      },
      requestFault: ({ n }) => (n === 2 || n === 9 ? { status: 503, body: { message: 'Service Unavailable' }, headers: { 'retry-after': '1' } } : undefined),
    });
    const { out, ctx } = await startOutput(fake, [['compress', 'gzip'], ['batch_size', '200k']]);
    const results = await deliver(out, chunkOf(seqEvents(N)));
    expect(results.at(-1)).toEqual({ status: 'ok' });
    expect(storedSeqs(fake)).toEqual(range(N));
    expectNoResendAfterAccept(fake);
    // the faults did happen
    expect(fake.statuses.filter((s) => s === 413).length).toBeGreaterThan(0);
    expect(fake.statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(new Set(fake.actions.map((a) => a.status))).toEqual(new Set([201, 429, 503, 500]));
    expect(ctx.logs.some((l) => /too large \(413\); sending it in two halves/.test(String(l.msg)))).toBe(true);
    expect(results.some((r) => r.status === 'retry' && r.retryAfterMs === 1000)).toBe(true);
    expect(fake.requests.length).toBe(fake.verified);
    expect(fake.signatureFailures).toEqual([]);
  });

  it('mapping errors go to the dead-letter file, are counted, and summed up in one reason; the rest is stored', async () => {
    const dir = tempDir('wren-os-dl-');
    const fake = await startFake({
      itemFault: ({ doc }) => ([3, 7].includes(doc.seq as number)
        ? { status: 400, type: 'mapper_parsing_exception', reason: "failed to parse field [status] of type [long] in document with id 'x'" }
        : undefined),
    });
    const { out, ctx } = await startOutput(fake, [['dead_letter_path', 'dead/letters.ndjson'], ['index', 'logs']], { baseDir: dir });
    const events = seqEvents(10, (i) => ({ status: i === 3 || i === 7 ? 'not-a-number' : 200 }));
    const r = await out.flush(chunkOf(events, 'web'));
    expect(r).toMatchObject({ status: 'ok', dropped: 2 });
    const reason = (r as { dropReason: string }).dropReason;
    expect(reason).toMatch(/refused 2 document\(s\) for good: 2× 400 mapper_parsing_exception: failed to parse field \[status\]/);
    expect(ctx.counters.get('refused_records')).toBe(2);
    expect(storedSeqs(fake)).toEqual([0, 1, 2, 4, 5, 6, 8, 9]);
    const file = join(dir, 'dead/letters.ndjson'); // relative to the config's folder
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      time: '2025-03-14T09:00:00.003Z', tag: 'web', index: 'logs', status: 400,
      reason: "mapper_parsing_exception: failed to parse field [status] of type [long] in document with id 'x'",
      document: { '@timestamp': '2025-03-14T09:00:00.003Z', seq: 3, msg: 'message 3', status: 'not-a-number' },
    });
    expect((lines[1]!.document as { seq: number }).seq).toBe(7);
    expect(reason).toContain(file);
  });
});
