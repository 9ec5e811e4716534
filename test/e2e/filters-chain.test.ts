import { describe, expect, it } from 'vitest';
import { startWren, writeConfig } from '../helpers/cli.js';
import { startImdsFake } from '../helpers/imds-fake.js';
import { startRecordingServer } from '../helpers/recording-server.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('record_modifier → nest → rewrite_tag → aws, end to end (the real CLI, loopback IMDS and HTTP)', () => {
  it('delivers every record exactly once, re-tagged errors to their own output, each with the fields of every filter it met', async () => {
    const imds = await startImdsFake({
      behaviour: 'v2',
      metadata: {
        'meta-data/placement/availability-zone': 'eu-west-1b',
        'meta-data/instance-id': 'i-0fedcba9876543210',
        'meta-data/instance-type': 'c6g.xlarge',
      },
    });
    const server = await startRecordingServer((_q, res) => void res.writeHead(200).end('ok'));
    const file = writeConfig(`service:
  flush: 100ms
pipeline:
  inputs:
    - name: stdin
      tag: app.web
  filters:
    - name: record_modifier
      match: 'app.*'
      record:
        - cluster \${CLUSTER}
        - team "core platform"
      remove_key: password
      uuid_key: event_id
    - name: nest
      match: 'app.*'
      operation: nest
      wildcard: http_*
      nest_under: http
      remove_prefix: http_
    - name: rewrite_tag
      match: 'app.*'
      emitter_name: alerts_emitter
      rule: $level ^(error|fatal)$ alert.$1.$TAG[1] false
    - name: aws
      match: '*'
      aws_imds: on
      aws_imds_endpoint: ${imds.url}
      ec2_instance_type: on
  outputs:
    - name: http
      match: 'app.*'
      port: ${server.port}
      uri: /app
      format: json_lines
      json_date_key: false
    - name: http
      match: 'alert.*'
      port: ${server.port}
      uri: /alerts
      format: json_lines
      json_date_key: false
`);
    const w = startWren(['run', '-c', file], { env: { CLUSTER: 'prod-eu', AWS_EC2_METADATA_DISABLED: 'false' } });
    await w.waitForLog(/^EC2 metadata fetched$/);
    const levels = ['info', 'error', 'info', 'fatal', 'warn'];
    const lines = Array.from({ length: 200 }, (_, n) => JSON.stringify({ n, level: levels[n % 5], msg: `m${n}`, http_method: 'GET', http_status: 200 + (n % 3), password: 'hunter2' }));
    w.child.stdin!.end(lines.join('\n') + '\n');
    const code = await w.exited;
    await server.close();
    await imds.close();
    expect(code).toBe(0);

    const byUri = new Map<string, Record<string, unknown>[]>();
    for (const r of server.received) {
      const list = byUri.get(r.path) ?? [];
      for (const l of r.body.toString().split('\n')) if (l) list.push(JSON.parse(l) as Record<string, unknown>);
      byUri.set(r.path, list);
    }
    const app = byUri.get('/app') ?? [];
    const alerts = byUri.get('/alerts') ?? [];
    expect(app.map((r) => r.n)).toEqual(Array.from({ length: 200 }, (_, n) => n).filter((n) => n % 5 !== 1 && n % 5 !== 3));
    expect(alerts.map((r) => r.n).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 200 }, (_, n) => n).filter((n) => n % 5 === 1 || n % 5 === 3));
    const ids = new Set([...app, ...alerts].map((r) => r.event_id));
    expect(ids.size).toBe(200);

    const { event_id: id0, ...first } = app[0]!;
    expect(id0).toMatch(UUID_V4);
    expect(Object.entries(first)).toEqual([
      ['n', 0], ['level', 'info'], ['msg', 'm0'], ['cluster', 'prod-eu'], ['team', 'core platform'], ['http', { method: 'GET', status: 200 }],
      ['az', 'eu-west-1b'], ['ec2_instance_id', 'i-0fedcba9876543210'], ['ec2_instance_type', 'c6g.xlarge'],
    ]);
    expect(Object.keys(app[0]!)).toEqual(['n', 'level', 'msg', 'cluster', 'team', 'event_id', 'http', 'az', 'ec2_instance_id', 'ec2_instance_type']);
    const a1 = alerts.find((r) => r.n === 1)!;
    expect(a1).toEqual({ n: 1, level: 'error', msg: 'm1', cluster: 'prod-eu', team: 'core platform', event_id: a1.event_id, http: { method: 'GET', status: 201 },
      az: 'eu-west-1b', ec2_instance_id: 'i-0fedcba9876543210', ec2_instance_type: 'c6g.xlarge' });
    expect(a1.event_id).toMatch(UUID_V4);
    expect(w.logs().filter((l) => l.level === 'error' || l.level === 50)).toEqual([]);
  });
});
