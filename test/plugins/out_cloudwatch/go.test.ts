import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { cloudwatchOutput } from '../../../plugins/out_cloudwatch/index.js';
import { cloudwatchLogsOutput } from '../../../plugins/out_cloudwatch_logs/index.js';
import type { RawValue } from '../../../src/config/types.js';
import { startContainerFake } from '../../helpers/container-fake.js';
import { startFakeCloudWatchLogs, type FakeCloudWatch } from '../../helpers/fake-cloudwatch-logs.js';
import { closeAll, deliver, KEY, makeOutput, onClose, SECRET, STATIC_ENV } from '../../helpers/output-harness.js';
import { startRecordingServer } from '../../helpers/recording-server.js';

afterEach(closeAll);

async function fake(keys?: Parameters<typeof startFakeCloudWatchLogs>[0]['keys']): Promise<FakeCloudWatch> {
  const f = await startFakeCloudWatchLogs({ keys: keys ?? [{ accessKeyId: KEY, secretAccessKey: SECRET }] });
  onClose(() => f.close());
  return f;
}

const now = Date.now() - 60_000;
const ev = (record: Record<string, unknown>, i = 0) => ({ time: now + i, record });

async function cw(f: FakeCloudWatch, entries: Array<[string, RawValue]>, env = STATIC_ENV, def = cloudwatchOutput) {
  return makeOutput(def, [['region', 'us-east-1'], ['endpoint', f.url], ...entries], env);
}

describe('cloudwatch (the Go plugin name and keys)', () => {
  it('$(var) templates: record keys, $(tag[n]); a missing one falls back to the default names; groups created with tags and retention', async () => {
    const f = await fake();
    const { out } = await cw(f, [
      ['log_group_name', "/eks/$(kubernetes['namespace_name'])/$(tag[0])"],
      ['log_stream_name', "$(kubernetes['pod_name']).$(tag)"],
      ['auto_create_group', 'true'],
      ['new_log_group_tags', 'team=payments, env = prod'],
      ['log_retention_days', '14'],
    ]);
    await deliver(out, [ev({ kubernetes: { namespace_name: 'shop', pod_name: 'web-1' }, log: 'a' }), ev({ log: 'b' }, 1)], 'kube.app');
    expect(JSON.parse(f.events('/eks/shop/kube', 'web-1.kube.app')[0]!.message)).toMatchObject({ log: 'a' });
    expect(JSON.parse(f.events('fluentbit-default', '/fluentbit-default')[0]!.message)).toMatchObject({ log: 'b' });
    const created = f.callsOf('CreateLogGroup').filter((c) => c.status === 200).map((c) => c.input);
    expect(created).toContainEqual({ logGroupName: '/eks/shop/kube', tags: { team: 'payments', env: 'prod' } });
    expect(f.groups.get('/eks/shop/kube')!.retentionInDays).toBe(14);
    expect(f.signatureFailures).toEqual([]);
  });

  it('invalid characters in a rendered group become dots (as the Go plugin); $(uuid) is fixed per output', async () => {
    const f = await fake();
    const { out } = await cw(f, [['log_group_name', 'app-$(svc)-$(uuid)'], ['log_stream_prefix', 'node-'], ['auto_create_group', 'on']]);
    await deliver(out, [ev({ svc: 'a b:c' }), ev({ svc: 'a b:c' }, 1)], 'x');
    const groups = [...f.groups.keys()];
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatch(/^app-a\.b\.c-[A-Za-z0-9_-]{27}$/);
    expect(f.events(groups[0]!, 'node-x')).toHaveLength(2);
  });

  it('$(ecs_cluster) and $(ecs_task_id) from the ECS task metadata endpoint', async () => {
    const meta = await startRecordingServer((req, res: ServerResponse) => {
      res.writeHead(req.path === '/v4/abc/task' ? 200 : 404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ Cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod', TaskARN: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123abcd' }));
    });
    onClose(() => meta.close());
    const f = await fake();
    const { out } = await cw(f, [['log_group_name', '/ecs/$(ecs_cluster)'], ['log_stream_name', '$(ecs_task_id)/$(tag)'], ['auto_create_group', 'on']],
      { ...STATIC_ENV, ECS_CONTAINER_METADATA_URI_V4: `${meta.url}/v4/abc` });
    await deliver(out, [ev({ m: 1 })], 'app');
    expect(f.events('/ecs/prod', '0123abcd/app')).toHaveLength(1);
  });

  it('auto_create_stream off: a missing stream is retried with the fix, not created', async () => {
    const f = await fake();
    f.createGroup('g');
    const { out } = await cw(f, [['log_group_name', 'g'], ['log_stream_name', 's'], ['auto_create_stream', 'false']]);
    const r = await out.flush((await import('../../helpers/chunks.js')).chunkOf([ev({ a: 1 })]));
    expect(r.status).toBe('retry');
    expect(r.status === 'retry' && r.reason).toMatch(/log stream 's' of log group 'g' does not exist: create it, or set auto_create_stream on/);
    expect(f.callsOf('CreateLogStream')).toHaveLength(0);
  });

  it('credentials_endpoint: credentials from that endpoint, not the chain', async () => {
    const creds = await startContainerFake();
    onClose(() => creds.close());
    const f = await fake((id) => creds.issued.find((c) => c.accessKeyId === id) && { accessKeyId: id, secretAccessKey: creds.issued.find((c) => c.accessKeyId === id)!.secretAccessKey, sessionToken: creds.issued.find((c) => c.accessKeyId === id)!.token });
    f.createGroup('g');
    const { out } = await cw(f, [['log_group_name', 'g'], ['log_stream_name', 's'], ['credentials_endpoint', `${creds.url}/creds`]]);
    await deliver(out, [ev({ a: 1 })]);
    expect(f.events('g', 's')).toHaveLength(1);
    expect(creds.received.length).toBe(1);
  });
});

describe('cloudwatch_logs: extra_user_agent, auto_retry_requests, metric_namespace / metric_dimensions', () => {
  it('EMF documents with the numbers as metrics, the json/emf header, the extra user agent', async () => {
    const f = await fake();
    f.createGroup('metrics');
    const { out } = await cw(f, [['log_group_name', 'metrics'], ['log_stream_name', 's'], ['metric_namespace', 'App/Checkout'], ['metric_dimensions', 'pod,ns;ns'], ['extra_user_agent', 'my-platform/1.2']], STATIC_ENV, cloudwatchLogsOutput);
    await deliver(out, [ev({ pod: 'web-1', ns: 'shop', latency_ms: 12.5, count: 3 }), ev({ msg: 'no numbers' }, 1)]);
    const [emf, plain] = f.events('metrics', 's').map((e) => JSON.parse(e.message) as Record<string, unknown>);
    expect(emf).toEqual({
      _aws: { Timestamp: now, CloudWatchMetrics: [{ Namespace: 'App/Checkout', Dimensions: [['pod', 'ns'], ['ns']], Metrics: [{ Name: 'latency_ms' }, { Name: 'count' }] }] },
      pod: 'web-1', ns: 'shop', latency_ms: 12.5, count: 3,
    });
    expect(plain).toEqual({ msg: 'no numbers' });
    const put = f.callsOf('PutLogEvents')[0]!;
    expect(put.headers['x-amzn-logs-format']).toBe('json/emf');
    expect(put.headers['user-agent']).toBe('wren my-platform/1.2');
  });
});
