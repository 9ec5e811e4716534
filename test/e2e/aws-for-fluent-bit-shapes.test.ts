import { afterEach, describe, expect, it } from 'vitest';
import { runWren, tempDir, writeConfig } from '../helpers/cli.js';
import { startFakeCloudWatchLogs } from '../helpers/fake-cloudwatch-logs.js';
import { startFakePutRecords } from '../helpers/fake-put-records.js';
import { startFakeS3 } from '../helpers/fake-s3.js';
import { closeAll, KEY, onClose, SECRET } from '../helpers/output-harness.js';

/**
 * The OUTPUT sections of aws-for-fluent-bit's example configs for Firehose, Kinesis, S3 and the Go
 * plugins (ecs/*.conf, the Go plugins' READMEs, the troubleshooting configs), written anew in
 * their shapes and run unchanged, in classic and YAML form, against the loopback fakes: the
 * endpoints come from AWS_ENDPOINT_URL_<SERVICE>, as an SDK user points a stock config at LocalStack.
 */
afterEach(closeAll);

type Entries = Array<[string, string]>;
const DUMMY = '{"pam": {"item": "soup", "item2": {"subitem": "rice"}}, "log": "a.b line"}';

function classic(output: Entries, tag: string): string {
  return `[SERVICE]
    Flush        1
    Grace        10
    Log_Level    info

[INPUT]
    Name         dummy
    Tag          ${tag}
    Dummy        ${DUMMY}
    Rate         200
    Samples      25

[OUTPUT]
${output.map(([k, v]) => `    ${k.padEnd(28)} ${v}`).join('\n')}
`;
}

function yaml(output: Entries, tag: string): string {
  return `service:
  flush: 1
  grace: 10
pipeline:
  inputs:
    - name: dummy
      tag: ${tag}
      dummy: '${DUMMY}'
      rate: 200
      samples: 25
  outputs:
${output.map(([k, v], i) => `${i === 0 ? '    - ' : '      '}${k.toLowerCase()}: ${JSON.stringify(v)}`).join('\n')}
`;
}

const creds = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET };

async function runBoth(output: Entries, tag: string, env: NodeJS.ProcessEnv, check: (round: number) => void): Promise<void> {
  let round = 0;
  for (const [name, text] of [['fluent-bit.conf', classic(output, tag)], ['fluent-bit.yaml', yaml(output, tag)]] as const) {
    const file = writeConfig(text, tempDir('wren-afb-'), name);
    const r = await runWren(['run', '-c', file], { env: { ...creds, ...env }, timeoutMs: 60_000 });
    expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    check(++round);
  }
}

describe("aws-for-fluent-bit's example shapes run unchanged", () => {
  it('ecs/firehose.conf: kinesis_firehose with region and delivery_stream from the task environment', async () => {
    const f = await startFakePutRecords({ service: 'firehose', keys: [{ accessKeyId: KEY, secretAccessKey: SECRET }], region: 'eu-west-1', streams: ['my-stream'] });
    onClose(() => f.close());
    await runBoth([['Name', 'kinesis_firehose'], ['Match', '*'], ['region', '${FIREHOSE_REGION}'], ['delivery_stream', '${DELIVERY_STREAM}']], 'app',
      { FIREHOSE_REGION: 'eu-west-1', DELIVERY_STREAM: 'my-stream', AWS_ENDPOINT_URL_FIREHOSE: f.url },
      (round) => expect(f.records('my-stream')).toHaveLength(25 * round));
    expect(JSON.parse(f.records('my-stream')[0]!.data.toString())).toEqual(JSON.parse(DUMMY));
    expect(f.signatureFailures).toEqual([]);
  });

  it('the Go firehose README: firehose with replace_dots', async () => {
    const f = await startFakePutRecords({ service: 'firehose', keys: [{ accessKeyId: KEY, secretAccessKey: SECRET }], region: 'us-west-2', streams: ['example-stream'] });
    onClose(() => f.close());
    await runBoth([['Name', 'firehose'], ['Match', '*'], ['region', 'us-west-2'], ['delivery_stream', 'example-stream'], ['replace_dots', '_']], 'app',
      { AWS_ENDPOINT_URL_FIREHOSE: f.url }, (round) => expect(f.records('example-stream')).toHaveLength(25 * round));
  });

  it('ecs/kinesis.conf and the Go troubleshooting config: kinesis_streams, and kinesis with auto_retry_requests false', async () => {
    const f = await startFakePutRecords({ service: 'kinesis', keys: [{ accessKeyId: KEY, secretAccessKey: SECRET }], region: 'us-west-2', streams: ['my_stream'] });
    onClose(() => f.close());
    await runBoth([['Name', 'kinesis_streams'], ['Match', '*'], ['region', '${KINESIS_REGION}'], ['stream', '${STREAM}']], 'app',
      { KINESIS_REGION: 'us-west-2', STREAM: 'my_stream', AWS_ENDPOINT_URL_KINESIS: f.url }, (round) => expect(f.records('my_stream')).toHaveLength(25 * round));
    await runBoth([['Name', 'kinesis'], ['Match', '*'], ['region', 'us-west-2'], ['stream', 'my_stream'], ['auto_retry_requests', 'false']], 'app',
      { AWS_ENDPOINT_URL_KINESIS: f.url }, (round) => expect(f.records('my_stream')).toHaveLength(50 + 25 * round));
    expect(f.signatureFailures).toEqual([]);
  });

  it('ecs/s3.conf: s3 with PutObject, a 1M total_file_size and a key from the cluster, the task and $TAG[0]', async () => {
    const f = await startFakeS3({ buckets: ['my-bucket'], accessKeyId: KEY, secretAccessKey: SECRET, region: 'ap-southeast-2' });
    onClose(() => f.close());
    const store = tempDir('wren-afb-s3-');
    await runBoth([['Name', 's3'], ['Match', '*'], ['bucket', '${BUCKET}'], ['region', '${S3_REGION}'], ['total_file_size', '1M'], ['upload_timeout', '1m'],
      ['use_put_object', 'On'], ['s3_key_format', '/${ECS_CLUSTER}/${TASK_ID}/$TAG[0]/%Y/%m/%d/%H/%M/%S'], ['s3_key_format_tag_delimiters', '.-'], ['store_dir', store]], 'web-app.main',
    { BUCKET: 'my-bucket', S3_REGION: 'ap-southeast-2', ECS_CLUSTER: 'prod', TASK_ID: 'task1', AWS_ENDPOINT_URL_S3: f.url },
    (round) => expect(f.objects.size).toBe(round));
    expect([...f.objects.keys()].every((k) => /^prod\/task1\/web\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{2}\/\d{2}-object[A-Za-z0-9]{8}$/.test(k))).toBe(true);
    const lines = [...f.objects.values()][0]!.body.toString().trim().split('\n');
    expect(lines).toHaveLength(25);
    expect(f.signatureFailures).toEqual([]);
  });

  it("the Go cloudwatch README's templating example", async () => {
    const f = await startFakeCloudWatchLogs({ keys: [{ accessKeyId: KEY, secretAccessKey: SECRET }] });
    onClose(() => f.close());
    await runBoth([['Name', 'cloudwatch'], ['Match', '*'], ['region', 'us-east-1'], ['log_group_name', 'fluent-bit-cloudwatch-$(tag)'],
      ['log_stream_name', "from-fluent-bit-$(pam['item2']['subitem'])"], ['auto_create_group', 'true']], 'dummy.data',
    { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: f.url }, (round) => expect(f.events('fluent-bit-cloudwatch-dummy.data', 'from-fluent-bit-rice')).toHaveLength(25 * round));
  });
});
