import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlushResult, LogEvent } from '../../../src/engine/types.js';
import { startContainerFake } from '../../helpers/container-fake.js';
import { verifySigV4 } from '../../helpers/sigv4-verify.js';
import { chunkOf, closeAll, deliver, harness, makeOutput, numbered, range, startFake, storedNumbers } from './harness.js';

afterEach(closeAll);

/** Two namespaces' records through a template, so one chunk makes calls to two streams. */
const twoStreams = (n: number): LogEvent[] =>
  numbered(n).map((e, i) => ({ ...e, record: { ...e.record, kubernetes: { namespace_name: i % 2 ? 'odd' : 'even' } } }));

describe('cloudwatch_logs output: failures deliver every event exactly once', () => {
  it('creates a missing group (with its class) and stream, sets retention once, then delivers', async () => {
    const { fake, out, ctx } = await harness([['log_group_name', 'app'], ['log_stream_prefix', 'node-1.'], ['auto_create_group', 'on'],
      ['log_retention_days', '7'], ['log_group_class', 'INFREQUENT_ACCESS']]);
    expect(await deliver(out, numbered(5), 'kube.a')).toMatchObject({ results: [{ status: 'ok' }] });
    expect(fake.calls.map((c) => `${c.op} ${c.status}`)).toEqual([
      'PutLogEvents 400', 'CreateLogStream 400', 'CreateLogGroup 200', 'PutRetentionPolicy 200', 'CreateLogStream 200', 'PutLogEvents 200',
    ]);
    expect(fake.groups.get('app')).toMatchObject({ logGroupClass: 'INFREQUENT_ACCESS', retentionInDays: 7 });
    expect(storedNumbers(fake, 'app', 'node-1.kube.a')).toEqual(range(5));
    // a second tag: only its stream is created; the group and its retention are left alone
    await deliver(out, numbered(3), 'kube.b');
    expect(fake.calls.slice(6).map((c) => `${c.op} ${c.status}`)).toEqual(['PutLogEvents 400', 'CreateLogStream 200', 'PutLogEvents 200']);
    // and then no Create* call at all
    await deliver(out, numbered(2), 'kube.b');
    expect(fake.calls.slice(9).map((c) => c.op)).toEqual(['PutLogEvents']);
    expect(fake.callsOf('PutRetentionPolicy')).toHaveLength(1);
    expect(storedNumbers(fake, 'app', 'node-1.kube.b')).toEqual([0, 1, 2, 0, 1]);
    expect(ctx.logs.some((l) => /created log group 'app' \(class INFREQUENT_ACCESS\)/.test(String(l.msg)))).toBe(true);
    expect(fake.signatureFailures).toEqual([]);
  });

  it('a throttled PutRetentionPolicy is tried again after each delivery to the group until it is set, then never again', async () => {
    const { fake, out, ctx } = await harness([['log_group_name', 'app'], ['log_stream_name', 's'], ['auto_create_group', 'on'], ['log_retention_days', '30']]);
    fake.inject({ op: 'PutRetentionPolicy', kind: 'throttle', times: 2 });
    expect((await deliver(out, numbered(2))).results).toEqual([{ status: 'ok' }]);
    expect(fake.groups.get('app')!.retentionInDays).toBeUndefined();
    expect(ctx.logs.some((l) => /could not set retention of log group 'app' to 30 days yet/.test(String(l.msg)))).toBe(true);
    await deliver(out, numbered(2));
    expect(fake.groups.get('app')!.retentionInDays).toBe(30);
    await deliver(out, numbered(2));
    expect(fake.callsOf('PutRetentionPolicy').map((c) => c.status)).toEqual([400, 400, 200]);
    expect(fake.events('app', 's')).toHaveLength(6);
  });

  it('without auto_create_group a missing group is a retry that says how to fix it; delivered once the group exists', async () => {
    const { fake, out } = await harness([['log_group_name', 'app'], ['log_stream_name', 's']]);
    const events = numbered(4);
    const first = await out.flush(chunkOf(events));
    expect(first).toMatchObject({ status: 'retry', reason: expect.stringMatching(/log group 'app' does not exist: create it, or set auto_create_group on/) });
    expect(fake.callsOf('CreateLogGroup')).toHaveLength(0);
    fake.createGroup('app'); // the operator creates it
    await deliver(out, ((first as { only?: number[] }).only ?? range(4)).map((i) => events[i]!));
    expect(storedNumbers(fake, 'app', 's')).toEqual(range(4));
  });

  it('retries throttling and 503s (with Retry-After) without losing or repeating events', async () => {
    const { fake, out } = await harness([['log_group_name', 'app'], ['log_stream_name', 's'], ['auto_create_group', 'on']]);
    fake.createGroup('app');
    fake.createStream('app', 's');
    fake.inject({ kind: 'throttle', times: 2 });
    fake.inject({ kind: 'unavailable', times: 1, retryAfter: '2' });
    const d = await deliver(out, numbered(25_000));
    expect(d.results[0]).toMatchObject({ status: 'retry', reason: expect.stringMatching(/400 ThrottlingException: Rate exceeded/) });
    expect(d.results[2]).toMatchObject({ status: 'retry', retryAfterMs: 2000, reason: expect.stringMatching(/503 ServiceUnavailableException/) });
    expect(d.results.at(-1)).toEqual({ status: 'ok' });
    expect(storedNumbers(fake, 'app', 's')).toEqual(range(25_000));
    expect(fake.signatureFailures).toEqual([]);
  });

  it('a failure after some calls succeeded retries exactly the events of the failed calls', async () => {
    const { fake, out } = await harness([['log_group_name', 'app'], ['log_stream_name', 's'], ['auto_create_group', 'on']]);
    fake.createGroup('app');
    fake.createStream('app', 's');
    fake.inject({ kind: 'status', status: 500, every: 2 }); // the 2nd, 4th, … call fails
    const events = numbered(25_000);
    const first = await out.flush(chunkOf(events));
    expect(first).toMatchObject({ status: 'retry' });
    const only = (first as Extract<FlushResult, { status: 'retry' }>).only!;
    expect(only).toEqual(range(15_000).map((i) => i + 10_000));
    await deliver(out, only.map((i) => events[i]!));
    expect(storedNumbers(fake, 'app', 's')).toEqual(range(25_000));
  });

  it('throttling on one stream holds back that stream and the ones after it; delivered streams are not resent', async () => {
    const { fake, out } = await harness([['log_group_name', 'app'], ['log_group_template', "app-$kubernetes['namespace_name']"], ['log_stream_name', 's'], ['auto_create_group', 'on']]);
    fake.inject({ kind: 'throttle', every: 3 });
    await deliver(out, twoStreams(30_000), 'app', 40);
    const even = fake.events('app-even', 's').map((e) => (JSON.parse(e.message) as { n: number }).n);
    const odd = fake.events('app-odd', 's').map((e) => (JSON.parse(e.message) as { n: number }).n);
    expect(even).toEqual(range(15_000).map((i) => 2 * i));
    expect(odd).toEqual(range(15_000).map((i) => 2 * i + 1));
  });

  it('InvalidParameterException drops that call (counted, with the reason) and keeps the rest', async () => {
    const { fake, out } = await harness([['log_group_name', 'app'], ['log_stream_name', 's']]);
    fake.createGroup('app');
    fake.createStream('app', 's');
    fake.inject({ kind: 'invalid', every: 2 });
    const d = await deliver(out, numbered(25_000));
    expect(d.results).toEqual([{ status: 'ok', dropped: 10_000, dropReason: expect.stringMatching(/10000 in calls refused: .*InvalidParameterException: injected/) }]);
    expect(storedNumbers(fake, 'app', 's')).toEqual([...range(10_000), ...range(5_000).map((i) => i + 20_000)]);
  });

  it('reads error types however the service writes them (namespaced __type, x-amzn-ErrorType with a suffix)', async () => {
    const { fake, out } = await harness([['log_group_name', 'app'], ['log_stream_name', 's'], ['auto_create_group', 'on']], { fake: { namespacedErrors: true } });
    fake.inject({ kind: 'throttle' });
    const d = await deliver(out, numbered(3));
    expect(d.results[0]).toMatchObject({ status: 'retry', reason: expect.stringMatching(/ThrottlingException: Rate exceeded/) });
    expect(storedNumbers(fake, 'app', 's')).toEqual([0, 1, 2]);
  });

  it('an expired token: refreshes the credentials, re-signs, and delivers once (every signature checked by aws4)', async () => {
    const creds = await startContainerFake({ token: () => 'tok' });
    const fake = await startFake({
      keys: (id) => {
        const c = creds.issued.find((k) => k.accessKeyId === id);
        return c && { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.token };
      },
    });
    fake.createGroup('app');
    fake.createStream('app', 's');
    const { out, ctx } = makeOutput([['endpoint', fake.url], ['log_group_name', 'app'], ['log_stream_name', 's'], ['aws_credential_chain', 'container']],
      { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${creds.url}/v1/creds`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok', AWS_EC2_METADATA_DISABLED: 'true' });
    await deliver(out, numbered(10));
    fake.expireKey(creds.issued[0]!.accessKeyId);
    const d = await deliver(out, numbered(10, Date.now() - 30_000));
    expect(d.results).toEqual([{ status: 'ok' }]);
    expect(creds.issued).toHaveLength(2);
    expect(fake.calls.map((c) => `${c.status} ${c.errorType ?? ''}`.trim())).toEqual(['200', '400 ExpiredTokenException', '200']);
    expect(fake.events('app', 's')).toHaveLength(20);
    expect(fake.signatureFailures).toEqual([]);
    // independently of the fake: the re-sent request carries the new session token, signed
    const last = fake.server.received.at(-1)!;
    const k = creds.issued[1]!;
    expect(verifySigV4(last, { secretAccessKey: k.secretAccessKey, accessKeyId: k.accessKeyId, sessionToken: k.token, service: 'logs', region: 'us-east-1' })).toMatchObject({ ok: true });
    expect(ctx.logs.some((l) => /refused the credentials/.test(String(l.msg)))).toBe(true);
    await creds.close();
  });

  it('a network failure is a retry of everything not yet sent', async () => {
    const fake = await startFake();
    const url = fake.url;
    await fake.close();
    const { out } = makeOutput([['endpoint', url], ['log_group_name', 'app'], ['log_stream_name', 's'], ['net.connect_timeout', '500ms']]);
    const r = await out.flush(chunkOf(numbered(3)));
    expect(r).toMatchObject({ status: 'retry', reason: expect.stringMatching(/CloudWatch Logs PutLogEvents: .*(ECONNREFUSED|failed)/) });
  });

  it('two flushes in flight (workers 2) write one stream in flush order', async () => {
    const { fake, out } = await harness([['log_group_name', 'app'], ['log_stream_name', 's'], ['auto_create_group', 'on'], ['workers', '2']]);
    const t = Date.now() - 10_000;
    const a = out.flush(chunkOf(numbered(3, t, { c: 'a' })));
    const b = out.flush(chunkOf(numbered(3, t + 100, { c: 'b' })));
    expect(await Promise.all([a, b])).toEqual([{ status: 'ok' }, { status: 'ok' }]);
    const got = fake.events('app', 's').map((e) => (JSON.parse(e.message) as { c: string; n: number }).c);
    expect(got).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    // the group and stream were created once: the second flush waited for the first one's turn
    expect(fake.calls.map((c) => `${c.op} ${c.status}`)).toEqual([
      'PutLogEvents 400', 'CreateLogStream 400', 'CreateLogGroup 200', 'CreateLogStream 200', 'PutLogEvents 200', 'PutLogEvents 200',
    ]);
  });

  it('a flush that starts while an earlier one is creating the stream waits for it, then writes after it', async () => {
    const { fake, out } = await harness([['log_group_name', 'app'], ['log_stream_name', 's'], ['auto_create_group', 'on'], ['workers', '2']]);
    const t = Date.now() - 10_000;
    const a = out.flush(chunkOf(numbered(3, t, { c: 'a' })));
    // the second flush arrives mid-way: the first one's PutLogEvents was refused, creation is under way
    await vi.waitFor(() => expect(fake.calls.length).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 1 });
    const b = out.flush(chunkOf(numbered(3, t + 100, { c: 'b' })));
    expect(await Promise.all([a, b])).toEqual([{ status: 'ok' }, { status: 'ok' }]);
    expect(fake.events('app', 's').map((e) => (JSON.parse(e.message) as { c: string }).c)).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    expect(fake.calls.map((c) => `${c.op} ${c.status}`)).toEqual([
      'PutLogEvents 400', 'CreateLogStream 400', 'CreateLogGroup 200', 'CreateLogStream 200', 'PutLogEvents 200', 'PutLogEvents 200',
    ]);
  });

  it('two agents racing to create the same stream: ResourceAlreadyExists is fine, both deliver', async () => {
    const fake = await startFake();
    const entries: Array<[string, string]> = [['endpoint', fake.url], ['log_group_name', 'app'], ['log_stream_name', 's'], ['auto_create_group', 'on']];
    const { out: one } = makeOutput(entries);
    const { out: two } = makeOutput(entries);
    const t = Date.now() - 10_000;
    const [r1, r2] = await Promise.all([deliver(one, numbered(5, t, { agent: 1 })), deliver(two, numbered(5, t, { agent: 2 }))]);
    expect(r1.results.at(-1)).toEqual({ status: 'ok' });
    expect(r2.results.at(-1)).toEqual({ status: 'ok' });
    expect(fake.callsOf('CreateLogGroup').map((c) => c.errorType ?? 'ok').sort()).toEqual(['ResourceAlreadyExistsException', 'ok']);
    expect(fake.events('app', 's')).toHaveLength(10);
  });
});
