import { afterEach, describe, expect, it } from 'vitest';
import { cloudwatchLogsOutput } from '../../../plugins/out_cloudwatch_logs/index.js';
import { bareErrorType, rejectedCount } from '../../../plugins/out_cloudwatch_logs/classify.js';
import type { RawValue } from '../../../src/config/types.js';
import { pluginContext } from '../../helpers/plugin-context.js';
import { closeAll, deliver, harness, makeOutput, numbered } from './harness.js';

afterEach(closeAll);

const pod = (ns: string | undefined, podName: string, log: string, time = Date.now() - 1000) => ({
  time,
  record: { log, stream: 'stdout', ...(ns ? { kubernetes: { namespace_name: ns, pod_name: podName, container_name: 'app' } } : {}) },
});

describe('cloudwatch_logs output: where records go and what they say', () => {
  it('log groups and streams per namespace from templates, falling back to the plain names', async () => {
    const { fake, out, ctx } = await harness([
      ['log_group_name', '/eks/default-group'], ['log_group_template', "/eks/demo/$kubernetes['namespace_name']"],
      ['log_stream_prefix', 'node-1.'], ['log_stream_template', "$kubernetes['pod_name'].$kubernetes['container_name']"],
      ['auto_create_group', 'on'], ['log_key', 'log'],
    ]);
    const d = await deliver(out, [
      pod('shop', 'cart-1', 'a'), pod('shop', 'cart-2', 'b'), pod('billing', 'inv-1', 'c'), pod(undefined, '', 'd'), pod('shop', 'cart-1', 'e'),
    ], 'kube.var.log.containers.x.log');
    expect(d.results).toEqual([{ status: 'ok' }]);
    expect(fake.events('/eks/demo/shop', 'cart-1.app').map((e) => e.message)).toEqual(['a', 'e']);
    expect(fake.events('/eks/demo/shop', 'cart-2.app').map((e) => e.message)).toEqual(['b']);
    expect(fake.events('/eks/demo/billing', 'inv-1.app').map((e) => e.message)).toEqual(['c']);
    expect(fake.events('/eks/default-group', 'node-1.kube.var.log.containers.x.log').map((e) => e.message)).toEqual(['d']);
    expect(ctx.counters.get('template_fallbacks')).toBe(2);
    expect(ctx.logs.some((l) => /1 record\(s\) used log_group_name '\/eks\/default-group'/.test(String(l.msg)))).toBe(true);
  });

  it('a template that renders an invalid group name falls back to log_group_name', async () => {
    const { fake, out } = await harness([['log_group_name', 'fallback'], ['log_group_template', '$team'], ['log_stream_name', 's'], ['auto_create_group', 'on']]);
    await deliver(out, [{ time: Date.now(), record: { team: 'bad name!' } }, { time: Date.now(), record: { team: 'good' } }]);
    expect(fake.events('fallback', 's')).toHaveLength(1);
    expect(fake.events('good', 's')).toHaveLength(1);
  });

  it('$TAG in a stream template', async () => {
    const { fake, out } = await harness([['log_group_name', 'g'], ['log_stream_name', 'plain'], ['log_stream_template', 'from-$TAG[1]'], ['auto_create_group', 'on']]);
    await deliver(out, numbered(2), 'kube.web');
    expect(fake.events('g', 'from-web')).toHaveLength(2);
  });

  it('without log_key the whole record is the message, as JSON', async () => {
    const { fake, out } = await harness([['log_group_name', 'g'], ['log_stream_name', 's'], ['auto_create_group', 'on']]);
    await deliver(out, [{ time: Date.now(), record: { log: 'hi "there"', kubernetes: { pod_name: 'p' }, n: 1.5 } }]);
    expect(JSON.parse(fake.events('g', 's')[0]!.message)).toEqual({ log: 'hi "there"', kubernetes: { pod_name: 'p' }, n: 1.5 });
  });

  it('log_key sends the value only: text as is, other values as JSON; records without it are dropped and counted', async () => {
    const { fake, out, ctx } = await harness([['log_group_name', 'g'], ['log_stream_name', 's'], ['auto_create_group', 'on'], ['log_key', 'log']]);
    const t = Date.now();
    const d = await deliver(out, [
      { time: t, record: { log: 'plain text\n' } }, { time: t, record: { log: { nested: [1, 2] } } }, { time: t, record: { other: 1 } }, { time: t, record: { log: 42 } },
      { time: t, record: { log: '' } },
    ]);
    expect(fake.events('g', 's').map((e) => e.message)).toEqual(['plain text\n', '{"nested":[1,2]}', '42']);
    expect(d.results).toEqual([{ status: 'ok', dropped: 2, dropReason: expect.stringMatching(/1 without log_key 'log'; 1 with an empty message/) }]);
    expect(ctx.counters.get('dropped_no_log_key')).toBe(1);
  });

  it('log_key as a record accessor', async () => {
    const { fake, out } = await harness([['log_group_name', 'g'], ['log_stream_name', 's'], ['auto_create_group', 'on'], ['log_key', "$kubernetes['pod_name']"]]);
    await deliver(out, [pod('ns', 'web-1', 'x')]);
    expect(fake.events('g', 's').map((e) => e.message)).toEqual(['web-1']);
  });

  it('log_format json/emf sends x-amzn-logs-format on PutLogEvents', async () => {
    const { fake, out } = await harness([['log_group_name', 'g'], ['log_stream_name', 's'], ['auto_create_group', 'on'], ['log_format', 'json/emf']]);
    await deliver(out, numbered(1));
    const puts = fake.callsOf('PutLogEvents');
    expect(puts.length).toBeGreaterThan(0);
    for (const c of puts) expect(c.headers['x-amzn-logs-format']).toBe('json/emf');
    expect(fake.callsOf('CreateLogStream')[0]!.headers['x-amzn-logs-format']).toBeUndefined();
    // the header is signed and aws4 accepted it
    expect(fake.signatureFailures).toEqual([]);
  });

  it('sends the JSON 1.1 protocol with no sequence token', async () => {
    const { fake, out } = await harness([['log_group_name', 'g'], ['log_stream_name', 's'], ['auto_create_group', 'on']]);
    await deliver(out, numbered(1));
    const put = fake.callsOf('PutLogEvents').at(-1)!;
    expect(put.headers['x-amz-target']).toBe('Logs_20140328.PutLogEvents');
    expect(put.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(put.input.sequenceToken).toBeUndefined();
    expect(Object.keys(put.input)).toEqual(['logGroupName', 'logStreamName', 'logEvents']);
  });
});

describe('cloudwatch_logs output: configuration', () => {
  const build = async (entries: Array<[string, RawValue]>, env: NodeJS.ProcessEnv = { AWS_REGION: 'us-east-1' }) =>
    cloudwatchLogsOutput.create({ ...pluginContext(cloudwatchLogsOutput, [['match', '*'], ...entries]), env });

  it('names what is missing or wrong, with the fix', async () => {
    expect(() => pluginContext(cloudwatchLogsOutput, [['log_stream_name', 's']])).toThrow(/needs 'log_group_name'/);
    await expect(build([['log_group_name', 'g']])).rejects.toThrow(/needs 'log_stream_name' or 'log_stream_prefix'/);
    await expect(build([['log_group_name', 'g'], ['log_stream_name', 's'], ['log_stream_prefix', 'p']])).rejects.toThrow(/cannot both be set/);
    await expect(build([['log_group_name', 'bad name'], ['log_stream_name', 's']])).rejects.toThrow(/not a valid log group name/);
    await expect(build([['log_group_name', 'g'], ['log_stream_name', 'a:b']])).rejects.toThrow(/not a valid log stream name/);
    await expect(build([['log_group_name', 'g'], ['log_stream_name', 's'], ['log_retention_days', '8']])).rejects.toThrow(/log_retention_days 8 is not a retention CloudWatch accepts/);
    await expect(build([['log_group_name', 'g'], ['log_stream_name', 's']], {})).rejects.toThrow(/no AWS region: 'region' is not set/);
    await expect(build([['log_group_name', 'g'], ['log_stream_name', 's'], ['endpoint', 'ftp://x']])).rejects.toThrow(/must be http:\/\/ or https:\/\//);
    expect(() => pluginContext(cloudwatchLogsOutput, [['log_group_name', 'g'], ['log_stream_name', 's'], ['log_format', 'json']])).toThrow(/log_format/);
  });

  it('accepts log_retention_days 0 (never expire) and a bare host as endpoint', async () => {
    const o = await build([['log_group_name', 'g'], ['log_stream_name', 's'], ['log_retention_days', '0'], ['endpoint', 'vpce-1.logs.us-east-1.vpce.amazonaws.com']]);
    await o.stop?.();
  });

  it('signs for service logs in the configured region, at the regional endpoint by default', async () => {
    const { out } = makeOutput([['log_group_name', 'g'], ['log_stream_name', 's'], ['region', 'cn-north-1']]);
    expect((out as unknown as { url: URL }).url.href).toBe('https://logs.cn-north-1.amazonaws.com.cn/');
    const { out: o2 } = makeOutput([['log_group_name', 'g'], ['log_stream_name', 's']], { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:9' });
    expect((o2 as unknown as { url: URL }).url.href).toBe('http://127.0.0.1:9/');
  });
});

describe('cloudwatch_logs output: answers', () => {
  it('strips namespaces and suffixes from error types', () => {
    expect(bareErrorType('com.amazonaws.logs#ResourceNotFoundException')).toBe('ResourceNotFoundException');
    expect(bareErrorType('ThrottlingException:http://internal.amazon.com/coral/com.amazonaws.logs/')).toBe('ThrottlingException');
    expect(bareErrorType('aws.protocoltests#InvalidParameterException:http://x/')).toBe('InvalidParameterException');
  });

  it('counts rejectedLogEventsInfo without double-counting too old and expired', () => {
    expect(rejectedCount({ tooOldLogEventEndIndex: 1, expiredLogEventEndIndex: 2, tooNewLogEventStartIndex: 8 }, 10)).toEqual({ tooOld: 2, expired: 3, tooNew: 2, total: 5 });
    expect(rejectedCount({}, 10)).toBeUndefined();
    expect(rejectedCount(undefined, 10)).toBeUndefined();
  });
});
