import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { ROOT, runWren, tempDir } from '../helpers/cli.js';
import { checkShape, CREATE_SERVICE, REGISTER_TASK_DEFINITION } from '../helpers/ecs-schema.js';
import { shippedConfigSupport } from '../helpers/features.js';

/**
 * deploy/ecs: the task definitions and the daemon service fit the ECS API's request shapes (the
 * AWS SDK's model), keep ECS's own rules for FireLens and daemons, and hand Wren options it takes.
 */

const ECS = join(ROOT, 'deploy', 'ecs');
const read = (name: string) => JSON.parse(readFileSync(join(ECS, name), 'utf8')) as TaskDefinition;
const support = shippedConfigSupport();

interface Container {
  name: string; image: string; essential?: boolean; user?: string; command?: string[]; readonlyRootFilesystem?: boolean;
  firelensConfiguration?: { type: string; options?: Record<string, string> };
  logConfiguration?: { logDriver: string; options?: Record<string, string> };
  linuxParameters?: { capabilities?: { add?: string[]; drop?: string[] } };
  mountPoints?: Array<{ sourceVolume: string; containerPath: string; readOnly?: boolean }>;
  environment?: Array<{ name: string; value: string }>;
  stopTimeout?: number; memory?: number; memoryReservation?: number; dependsOn?: Array<{ containerName: string; condition: string }>;
}
interface TaskDefinition {
  family: string; networkMode?: string; requiresCompatibilities?: string[]; cpu?: string; memory?: string;
  containerDefinitions: Container[]; volumes?: Array<{ name: string; host?: { sourcePath?: string } }>;
}

/** The image's file for a path inside it (deploy/image/rootfs mirrors the image's / ). */
const imageFile = (path: string) => join(ROOT, 'deploy', 'image', 'rootfs', path);

describe('deploy/ecs', () => {
  it.each(['firelens-task-definition.json', 'ec2-daemon-task-definition.json'])('%s fits RegisterTaskDefinition', (name) => {
    expect(checkShape(read(name), REGISTER_TASK_DEFINITION)).toEqual([]);
  });

  it('ec2-daemon-service.json fits CreateService and runs the daemon task on every EC2 instance', () => {
    const svc = JSON.parse(readFileSync(join(ECS, 'ec2-daemon-service.json'), 'utf8')) as Record<string, unknown>;
    expect(checkShape(svc, CREATE_SERVICE)).toEqual([]);
    expect(svc).toMatchObject({ schedulingStrategy: 'DAEMON', launchType: 'EC2', taskDefinition: read('ec2-daemon-task-definition.json').family });
    expect(svc.desiredCount).toBeUndefined(); // DAEMON services take none
  });

  it('the schema check catches what ECS would refuse', () => {
    const td = read('firelens-task-definition.json');
    const bad = { ...td, networkMode: 'overlay', containerDefinitions: [{ ...td.containerDefinitions[0], memoryReservaton: 64 }] };
    expect(checkShape(bad, REGISTER_TASK_DEFINITION)).toEqual([
      "$.networkMode: 'overlay' is not one of awsvpc, bridge, host, none",
      "$.containerDefinitions[0]: unknown member 'memoryReservaton' of ContainerDefinition",
    ]);
    expect(checkShape({ containerDefinitions: [] }, REGISTER_TASK_DEFINITION)).toEqual(["$: missing required member 'family' of RegisterTaskDefinitionRequest"]);
  });

  describe('FireLens: Wren as the log router of an application container', () => {
    const td = read('firelens-task-definition.json');
    const routers = td.containerDefinitions.filter((c) => c.firelensConfiguration);

    it('has one fluentbit log router with the FireLens options, and the task fits Fargate', () => {
      expect(routers).toHaveLength(1);
      const router = routers[0]!;
      expect(router.firelensConfiguration!.type).toBe('fluentbit');
      for (const [k, v] of Object.entries(router.firelensConfiguration!.options ?? {})) {
        expect(['enable-ecs-log-metadata', 'config-file-type', 'config-file-value']).toContain(k);
        if (k === 'enable-ecs-log-metadata') expect(['true', 'false']).toContain(v);
      }
      expect(router.essential).toBe(true);
      expect(router.image).toMatch(/\/wren:\d+\.\d+\.\d+$/);
      // its own logs go to CloudWatch through awslogs, as AWS recommends, never through itself
      expect(router.logConfiguration?.logDriver).toBe('awslogs');
      // the socket ECS mounts for the app's log driver is root's: uid 0, no capabilities, read-only root
      expect(router).toMatchObject({ user: '0', readonlyRootFilesystem: true, linuxParameters: { capabilities: { drop: ['ALL'] } } });
      expect(router.memoryReservation).toBeGreaterThanOrEqual(64);
      expect(td.requiresCompatibilities).toContain('FARGATE');
      expect(td.networkMode).toBe('awsvpc');
      expect(Number(td.cpu)).toBeGreaterThan(0);
      expect(Number(td.memory)).toBeGreaterThan(0);
    });

    it('routes the application through awsfirelens with options that become a Wren output', () => {
      const apps = td.containerDefinitions.filter((c) => c.logConfiguration?.logDriver === 'awsfirelens');
      expect(apps.length).toBeGreaterThan(0);
      for (const app of apps) {
        expect(app.dependsOn).toContainEqual({ containerName: routers[0]!.name, condition: 'START' });
        // FireLens writes these options as an [OUTPUT] section (Name plus the rest, Match <container>-firelens*)
        const { Name, ...rest } = app.logConfiguration!.options!;
        expect(Name).toBeTruthy();
        const dir = tempDir('wren-firelens-');
        const file = join(dir, 'output.yaml');
        writeFileSync(file, stringify({ pipeline: { inputs: [{ name: 'dummy' }], outputs: [{ name: Name, match: `${app.name}-firelens*`, ...rest }] } }));
        const { errors } = loadConfig(file, { env: {} });
        expect(errors.map((e) => e.message), app.name).toEqual([]);
      }
    });
  });

  describe('EC2 daemon: every container log on the instance', () => {
    const td = read('ec2-daemon-task-definition.json');
    const c = td.containerDefinitions[0]!;

    it('tails /var/lib/docker/containers read-only, keeps state in /var/lib/wren, as root without capabilities', () => {
      expect(td.requiresCompatibilities).toEqual(['EC2']);
      expect(td.containerDefinitions).toHaveLength(1);
      const volumes = new Map((td.volumes ?? []).map((v) => [v.name, v.host?.sourcePath]));
      const mounts = new Map((c.mountPoints ?? []).map((m) => [m.containerPath, { source: volumes.get(m.sourceVolume), ro: m.readOnly }]));
      expect(mounts.get('/var/lib/docker/containers')).toEqual({ source: '/var/lib/docker/containers', ro: true });
      expect(mounts.get('/var/lib/wren')).toEqual({ source: '/var/lib/wren', ro: false });
      expect(c).toMatchObject({ user: '0', readonlyRootFilesystem: true, linuxParameters: { capabilities: { drop: ['ALL'] } } });
      expect(c.logConfiguration?.logDriver).toBe('awslogs'); // not json-file: it would read its own lines
    });

    it('runs the config the image ships, with every ${VAR} it needs set, and stops later than it flushes', () => {
      const arg = c.command?.find((a) => a.startsWith('--config='));
      expect(arg).toBeDefined();
      const text = readFileSync(imageFile(arg!.slice('--config='.length)), 'utf8');
      expect(text).toMatch(/^\s*Path\s+\/var\/lib\/docker\/containers\/\*\/\*-json\.log$/m);
      const env = new Set((c.environment ?? []).map((e) => e.name));
      for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)) if (!m[2]) expect(env, m[0]).toContain(m[1]);
      const grace = Number(/^\s*Grace\s+(\d+)/m.exec(text)![1]);
      expect(c.stopTimeout).toBeGreaterThan(grace);
    });

    it.skipIf(!support.ok)(`its config passes wren check ${support.ok ? '' : `(skipped: ${support.reason})`}`, async () => {
      const arg = c.command!.find((a) => a.startsWith('--config='))!;
      const env = Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value]));
      const r = await runWren(['check', '-c', imageFile(arg.slice('--config='.length))], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });
  });
});
