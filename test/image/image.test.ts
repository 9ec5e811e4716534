import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, freePort, runWren, tempDir } from '../helpers/cli.js';
import { shippedConfigSupport } from '../helpers/features.js';
import { renderKustomization } from '../helpers/kustomize.js';
import { IMAGE, podman, runContainer, runToEnd, until } from '../helpers/podman.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';

/**
 * The container image, run as a platform would run it. Only when scripts/test-image.sh built it
 * (WREN_TEST_IMAGE set; .ci/run does that); npm test alone skips this file.
 */

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const support = shippedConfigSupport();
/** The DaemonSet's settings: uid 0, no capability, read-only root, no privilege escalation. */
const DAEMONSET_SECURITY = ['--user', '0', '--cap-drop', 'ALL', '--read-only', '--security-opt', 'no-new-privileges'];

type Rec = { log: string; stream: string; kubernetes: Record<string, string> };
const ID = (c: string) => c.repeat(64);
const FILES = {
  web: `web-6f8d9c7b5-p4zrt_shop_web-${ID('a')}.log`,
  api: `api-5b7c9d4f8-8kq2w_payments_api-${ID('b')}.log`,
};
const cri = (stream: string, tag: 'P' | 'F', text: string) => `2026-05-01T10:00:00.123456789Z ${stream} ${tag} ${text}\n`;

describe.skipIf(!IMAGE)(`the container image ${IMAGE}`, () => {
  it('is built as the README says: entrypoint, user, labels, no HEALTHCHECK, within 150 MB', () => {
    const r = podman(['image', 'inspect', IMAGE]);
    expect(r.code, r.stderr).toBe(0);
    const [img] = JSON.parse(r.stdout) as Array<{ Size: number; Config: Record<string, unknown> }>;
    const cfg = img!.Config;
    expect(cfg.Entrypoint).toEqual(['node', '/opt/wren/dist/src/bin.cjs']);
    expect(cfg.Cmd).toEqual(['run']);
    expect(cfg.User).toBe('65532:65532');
    expect(cfg.Healthcheck).toBeUndefined();
    expect(cfg.ExposedPorts).toEqual({ '2020/tcp': {} });
    expect(cfg.Labels).toMatchObject({ 'org.opencontainers.image.title': 'wren', 'org.opencontainers.image.version': VERSION, 'org.opencontainers.image.licenses': 'Apache-2.0' });
    expect(img!.Size).toBeLessThanOrEqual(150 * 1000 * 1000);
  });

  it('needs no shell: its runtime base has none, and Wren still runs', async () => {
    const sh = await runToEnd(['--entrypoint', '/bin/sh'], ['-c', 'true']);
    expect(sh.code).not.toBe(0);
    const v = await runToEnd([], ['--version']);
    expect(v.stdout).toBe(`wren ${VERSION}\n`);
    expect(v.code).toBe(0);
  });

  it('without -c checks /etc/wren/wren.yaml, its default', async () => {
    const r = await runToEnd([], ['check']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\/etc\/wren\/wren\.yaml: OK$/m);
    expect(r.code).toBe(0);
    // the image runs the bundle with the code cache built for it (the copies kept their mtimes)
    const d = await runToEnd(['-e', 'WREN_DEBUG_START=1'], ['check']);
    expect(d.stderr).toBe('wren: entry dist/bundle/cli.cjs, code cache taken\n');
  });

  it('prefers a config mounted at /fluent-bit/etc/fluent-bit.conf (FireLens) and finds the stock parsers', async () => {
    const dir = tempDir('wren-image-firelens-');
    // the shape of the config FireLens generates for a fluentbit log router (written for this test)
    const text = [
      '[SERVICE]', '    Parsers_File /fluent-bit/parsers/parsers.conf', '',
      '[INPUT]', '    Name forward', '    Mem_Buf_Limit 25MB', '    unix_path /var/run/fluent.sock', '',
      '[INPUT]', '    Name forward', '    Listen 127.0.0.1', '    Port 24224', '',
      '[FILTER]', '    Name record_modifier', '    Match *', '    Record ecs_cluster my-cluster', '    Record ecs_task_arn arn:aws:ecs:us-west-2:123456789012:task/my-cluster/0123456789abcdef', '',
      '[OUTPUT]', '    Name null', '    Match firelens-healthcheck', '',
      '[OUTPUT]', '    Name cloudwatch_logs', '    Match app-firelens*', '    region us-west-2', '    log_group_name /ecs/app', '    log_stream_prefix app-', '    auto_create_group true', '',
    ].join('\n');
    writeFileSync(join(dir, 'fluent-bit.conf'), text);
    writeFileSync(join(dir, 'host.conf'), text.replace('/fluent-bit/parsers/parsers.conf', join(ROOT, 'deploy/image/rootfs/fluent-bit/etc/parsers.conf')));
    const host = await runWren(['check', '-c', join(dir, 'host.conf')]);
    const r = await runToEnd(['-v', `${join(dir, 'fluent-bit.conf')}:/fluent-bit/etc/fluent-bit.conf:ro`], ['check']);
    // the image picked that file: it is the one checked (or, while Wren cannot read it yet, the one named in the error)
    expect(r.stdout + r.stderr).toMatch(/\/fluent-bit\/etc\/fluent-bit\.conf/);
    expect(r.stdout + r.stderr).not.toMatch(/\/etc\/wren\/wren\.yaml/);
    // and the image judges it exactly as Wren outside the image does
    expect(r.code).toBe(host.code);
  });

  it.skipIf(!support.ok)(`checks the shipped classic configs: the Kubernetes ConfigMap and the ECS daemon's ${support.ok ? '' : `(skipped: ${support.reason})`}`, async () => {
    const conf = tempDir('wren-image-k8s-');
    // a ConfigMap volume is world-readable; the temp folder is 0700 and the image runs as 65532
    chmodSync(conf, 0o755);
    const cm = renderKustomization(join(ROOT, 'deploy/kubernetes/base')).find((o) => o.metadata.name.startsWith('wren-config'))!;
    for (const [name, text] of Object.entries(cm.data as Record<string, string>)) writeFileSync(join(conf, name), text);
    const k8s = await runToEnd(['-v', `${conf}:/fluent-bit/etc/conf:ro`, '-e', 'CLUSTER_NAME=c', '-e', 'NODE_NAME=n', '-e', 'HOST_NAME=n'],
      ['check', '--config=/fluent-bit/etc/conf/fluent-bit.conf']);
    expect(k8s.stderr).toBe('');
    expect(k8s.code).toBe(0);
    const ecs = await runToEnd(['-e', 'AWS_REGION=us-west-2', '-e', 'LOG_GROUP_NAME=/ecs/c'], ['check', '--config=/etc/wren/ecs-ec2-daemon.conf']);
    expect(ecs.stderr).toBe('');
    expect(ecs.code).toBe(0);
  });

  it('as its default user (65532) cannot read root-only logs nor change its own files', async () => {
    const logs = tempDir('wren-image-perm-');
    chmodSync(logs, 0o755);
    writeFileSync(join(logs, 'x.log'), 'secret\n', { mode: 0o640 });
    const probe = 'const fs=require("fs");const t=(f)=>{try{f();return "ok"}catch(e){return e.code}};'
      + 'console.log(process.getuid(),t(()=>fs.readFileSync("/logs/x.log")),t(()=>fs.appendFileSync("/opt/wren/package.json","x")),'
      + 't(()=>fs.writeFileSync("/etc/wren/wren.yaml","x")),t(()=>fs.writeFileSync("/var/lib/wren/probe","x")))';
    const r = await runToEnd(['-v', `${logs}:/logs:ro`, '--entrypoint', 'node'], ['-e', probe]);
    expect(r.stdout.trim()).toBe('65532 EACCES EACCES EACCES ok');
  });

  describe('on a node, with the DaemonSet\'s settings (uid 0, no capabilities, read-only root)', () => {
    let sink: RecordingServer;
    const logs = tempDir('wren-image-logs-');
    const state = tempDir('wren-image-state-');
    const cfg = tempDir('wren-image-cfg-');
    const records = () => sink.received.flatMap((r) => r.body.toString().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Rec));

    beforeAll(async () => {
      sink = await startRecordingServer();
      chmodSync(logs, 0o755);
      // root-owned, 0640: as kubelet and containerd leave container logs
      writeFileSync(join(logs, FILES.web), Array.from({ length: 40 }, (_, i) => cri('stdout', 'F', `web line ${i}`)).join(''), { mode: 0o640 });
      writeFileSync(join(logs, FILES.api), cri('stderr', 'P', 'a line the runtime ') + cri('stderr', 'F', 'split in two'), { mode: 0o640 });
      writeFileSync(join(cfg, 'pipeline.yaml'), `service:
  flush: \${FLUSH}
  grace: 20
  http_server: on
  http_listen: 127.0.0.1
  http_port: \${HTTP_PORT}
pipeline:
  inputs:
    - name: tail
      path: /var/log/containers/*.log
      tag: 'kube.*'
      multiline.parser: cri
      read_from_head: on
      refresh_interval: 1
      db: /var/fluent-bit/state/tail-containers.db   # Fluent Bit's state path: the image links it to /var/lib/wren
  filters:
    - name: kubernetes
      match: 'kube.*'
      use_tag_for_meta: on
  outputs:
    - name: http
      match: '*'
      host: 127.0.0.1
      port: ${sink.port}
      uri: /ingest
      format: json_lines
`);
    });
    afterAll(async () => { await sink?.close(); });

    const start = async (flush: number) => {
      const port = await freePort();
      const c = runContainer([...DAEMONSET_SECURITY, '-v', `${logs}:/var/log/containers:ro`, '-v', `${state}:/var/lib/wren`,
        '-v', `${cfg}:/etc/wren-test:ro`, '-e', `FLUSH=${flush}`, '-e', `HTTP_PORT=${port}`], ['--config=/etc/wren-test/pipeline.yaml']);
      await until('the health endpoint', async () => (await fetch(`http://127.0.0.1:${port}/api/v1/uptime`).catch(() => undefined))?.ok === true, 60_000);
      return { c, port };
    };

    it('tails the mounted logs into the loopback sink, answers the probes, keeps offsets in /var/lib/wren, runs as PID 1', async () => {
      const { c, port } = await start(1);
      await until('41 records at the sink', () => records().length >= 41);
      const got = records();
      expect(got).toHaveLength(41);
      expect(got.filter((r) => r.kubernetes.namespace_name === 'shop').map((r) => r.log)).toEqual(Array.from({ length: 40 }, (_, i) => `web line ${i}`));
      expect(got.find((r) => r.kubernetes.namespace_name === 'payments')).toMatchObject({ log: 'a line the runtime split in two', stream: 'stderr', kubernetes: { pod_name: 'api-5b7c9d4f8-8kq2w', container_name: 'api' } });
      for (const path of ['/api/v1/health', '/api/v1/uptime']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        expect(res.status, path).toBe(200);
      }
      // live: a line appended now arrives too
      appendFileSync(join(logs, FILES.web), cri('stdout', 'F', 'web line 40'));
      await until('the appended line', () => records().some((r) => r.log === 'web line 40'));
      // Node is the container's PID 1, started directly (no shell, no init)
      const pid = podman(['inspect', '--format', '{{.State.Pid}}', c.name]).stdout.trim();
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 2)).toEqual(['node', '/opt/wren/dist/src/bin.cjs']);
      expect(/^NSpid:\s+\d+\s+1$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))).toBe(true);
      expect(podman(['stop', '-t', '40', c.name]).code).toBe(0);
      expect(await c.exited).toBe(0);
      expect(existsSync(join(state, 'tail-containers.db'))).toBe(true);
    });

    it('on SIGTERM delivers what it buffered within service.grace, resuming from the offsets (nothing twice)', async () => {
      const before = records().length;
      appendFileSync(join(logs, FILES.api), Array.from({ length: 10 }, (_, i) => cri('stdout', 'F', `after restart ${i}`)).join(''));
      const { c, port } = await start(600); // nothing is flushed on the timer: only SIGTERM can deliver
      await until('10 records read', async () => {
        const text = await (await fetch(`http://127.0.0.1:${port}/api/v2/metrics/prometheus`)).text();
        const m = /(?:wren|fluentbit)_input_records_total\{[^}]*\}\s+(\d+)/.exec(text);
        return m !== null && Number(m[1]) >= 10;
      });
      expect(records()).toHaveLength(before);
      expect(podman(['kill', '--signal', 'TERM', c.name]).code).toBe(0);
      expect(await c.exited).toBe(0);
      const after = records().slice(before);
      expect(after.map((r) => r.log)).toEqual(Array.from({ length: 10 }, (_, i) => `after restart ${i}`));
    });
  });
});

// A layer of scripts/test-image.sh: asked for (WREN_TEST_PODMAN) without an image, it fails instead of passing empty.
if (process.env.WREN_TEST_PODMAN && !IMAGE) throw new Error('WREN_TEST_PODMAN is set but WREN_TEST_IMAGE is not');
