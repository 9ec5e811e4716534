import { FluentClient } from '@fluent-org/logger';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, startWren, tempDir, writeConfig } from '../helpers/cli.js';
import { startRecordingServer, type ReceivedRequest } from '../helpers/recording-server.js';
import { dockerMessage, rawClient } from '../plugins/in_forward/frames.js';
import { waitFor } from '../plugins/in_forward/harness.js';

/**
 * The pipeline ECS FireLens generates around a task's log router, run by the real CLI: forward on
 * a unix socket (the Docker `fluentd` driver of each container writes there) and on TCP 24224
 * (application loggers), a tcp input for the health check, `record_modifier` adding the ECS
 * metadata, the user's outputs from an included file.
 */

const ECS = {
  ecs_cluster: 'prod-cluster',
  ecs_task_arn: 'arn:aws:ecs:us-east-1:123456789012:task/prod-cluster/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  ecs_task_definition: 'web:42',
};

function linesOf(reqs: ReceivedRequest[]): Array<Record<string, unknown>> {
  return reqs.flatMap((r) => r.body.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
}

describe('a FireLens-shaped pipeline through the CLI', () => {
  it('(classic config, @INCLUDE) Docker driver frames on the unix socket, an acked, compressed, shared-key client on TCP, the health check: every record once, with the ECS fields', async () => {
    const sink = await startRecordingServer();
    const dir = tempDir('wren-firelens-');
    const sock = join(dir, 'fluent.sock');
    const [fwdPort, hcPort] = [await freePort(), await freePort()];
    // the user's file FireLens includes (its config-file option)
    writeFileSync(join(dir, 'external.conf'), `[OUTPUT]
    Name          http
    Match         *-firelens-*
    Host          127.0.0.1
    Port          ${sink.port}
    URI           /logs
    Format        json_lines
    json_date_key time
`);
    // what FireLens generates, in Fluent Bit's classic format
    const file = writeConfig(`[SERVICE]
    Flush     0.1
    Log_Level info

[INPUT]
    Name      forward
    unix_path ${sock}
    unix_perm 0660

[INPUT]
    Name       forward
    Listen     127.0.0.1
    Port       ${fwdPort}
    Shared_Key firelens-test-key

[INPUT]
    Name   tcp
    Tag    firelens-healthcheck
    Listen 127.0.0.1
    Port   ${hcPort}

[FILTER]
    Name   record_modifier
    Match  *
${Object.entries(ECS).map(([k, v]) => `    Record ${k} ${v}`).join('\n')}

@INCLUDE external.conf

[OUTPUT]
    Name  null
    Match firelens-healthcheck
`, dir, 'fluent-bit.conf');
    const w = startWren(['run', '-c', file]);
    try {
      await w.waitForLog(/wren started/, 15_000);
      // the health check, as the ECS agent does it
      const hc = connect(hcPort, '127.0.0.1');
      hc.end('{"health": "check"}\n');
      await new Promise((r) => hc.once('close', r));

      // two containers' Docker drivers on the unix socket, one with request-ack
      const ID = 'ab'.repeat(32);
      const docker = await rawClient({ path: sock });
      const acked = await rawClient({ path: sock });
      const burst = Array.from({ length: 3000 }, (_, i) =>
        dockerMessage({ tag: 'web-firelens-0f1e2d3c', sec: 1710406800 + (i % 60), record: { container_id: ID, container_name: '/ecs-web-1', source: 'stdout', log: `docker ${i}` } }));
      docker.socket.end(Buffer.concat(burst));
      for (let i = 0; i < 50; i++) {
        acked.socket.write(dockerMessage({ tag: 'sidecar-firelens-0f1e2d3c', sec: 1710406900, subSecond: true, nsec: i, record: { container_id: ID, container_name: '/ecs-sidecar-1', source: 'stderr', log: `acked ${i}` }, chunk: `id-${i}` }));
        await waitFor(() => acked.replies.length === i + 1, `ack ${i}`);
      }
      acked.socket.end();

      // an application logger on TCP: acks, gzip, the shared key
      const app = new FluentClient('api-firelens-0f1e2d3c', {
        socket: { host: '127.0.0.1', port: fwdPort, timeout: 10_000 },
        security: { clientHostname: 'api', sharedKey: 'firelens-test-key' },
        ack: { ackTimeout: 10_000 }, eventMode: 'CompressedPackedForward', milliseconds: true, flushInterval: 10,
      });
      await Promise.all(Array.from({ length: 2000 }, (_, i) => app.emit({ msg: `app ${i}`, level: i % 7 ? 'info' : 'warn' })));
      await app.disconnect();
      await docker.closed;

      await waitFor(() => linesOf(sink.received).length >= 5050, 'every record at the sink', 15_000);
      w.kill('SIGTERM');
      expect(await w.exited).toBe(0);
      const got = linesOf(sink.received);
      const logs = got.map((r) => String(r.log ?? r.msg));
      expect(got).toHaveLength(5050);
      expect(new Set(logs).size).toBe(5050);
      for (const i of [0, 1234, 2999]) expect(logs).toContain(`docker ${i}`);
      for (const i of [0, 49]) expect(logs).toContain(`acked ${i}`);
      for (const i of [0, 1999]) expect(logs).toContain(`app ${i}`);
      for (const r of got) expect(r).toMatchObject(ECS);
      expect(got.find((r) => r.log === 'docker 7')).toMatchObject({ container_id: ID, source: 'stdout', time: 1710406807 });
      expect(got.some((r) => r.health !== undefined)).toBe(false); // the health check went to null
      expect(w.logs().filter((l) => l.level === 'error' || l.level === 50)).toEqual([]);
    } finally {
      w.kill('SIGKILL');
      await sink.close();
    }
  });

  it('a tiny mem_buf_limit and a slow output: the input pauses, acks wait, and every record arrives exactly once', async () => {
    let delivered = 0;
    const sink = await startRecordingServer(async (req, res) => {
      await new Promise((r) => setTimeout(r, 30));
      delivered += req.body.toString().split('\n').filter(Boolean).length;
      res.writeHead(200).end('ok');
    });
    const port = await freePort();
    const file = writeConfig(`service:
  flush: 50ms
pipeline:
  inputs:
    - name: forward
      listen: 127.0.0.1
      port: ${port}
      mem_buf_limit: 64k
  outputs:
    - name: http
      match: '*'
      host: 127.0.0.1
      port: ${sink.port}
      format: json_lines
`);
    const w = startWren(['run', '-c', file]);
    try {
      await w.waitForLog(/wren started/, 15_000);
      const client = new FluentClient('bp', {
        socket: { host: '127.0.0.1', port, timeout: 30_000 },
        ack: { ackTimeout: 30_000 }, eventMode: 'PackedForward', flushInterval: 5,
        sendQueueSyncFlushLimit: { size: 32 * 1024 },
      });
      const N = 10_000;
      let acked = 0;
      let maxAheadOfSink = 0;
      const sent = Array.from({ length: N }, (_, i) => client.emit('load', { i, pad: 'x'.repeat(120) }).then(() => {
        acked++;
        maxAheadOfSink = Math.max(maxAheadOfSink, acked - delivered);
      }));
      await Promise.all(sent);
      await client.disconnect();
      await waitFor(() => delivered >= N, 'every record delivered', 30_000);
      w.kill('SIGTERM');
      expect(await w.exited).toBe(0);
      const got = linesOf(sink.received).map((r) => r.i as number);
      expect(got).toHaveLength(N);
      expect(new Set(got).size).toBe(N);
      expect(w.logs().some((l) => /mem_buf_limit reached/.test(String(l.msg)))).toBe(true);
      // acks never ran far ahead of what the output could take: at most about the limit's worth
      expect(maxAheadOfSink).toBeLessThan(N / 2);
    } finally {
      w.kill('SIGKILL');
      await sink.close();
    }
  });
});
