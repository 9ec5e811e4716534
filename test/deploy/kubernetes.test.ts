import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNoProxy } from '../../src/net/no-proxy.js';
import { ROOT, runWren, tempDir } from '../helpers/cli.js';
import { shippedConfigSupport } from '../helpers/features.js';
import { strictFieldErrors, validateWithModels } from '../helpers/k8s-schema.js';
import { parseManifests, podSpec, renderKustomization, type K8sObject } from '../helpers/kustomize.js';

/**
 * deploy/kubernetes: the base and every overlay render (with the test's small kustomize, and with
 * `kubectl kustomize` when WREN_TEST_KUBECTL=1, which must then agree), every rendered object
 * validates against the Kubernetes OpenAPI schemas, and the DaemonSet keeps the promises the
 * README makes (probes, limits, least privilege, state, grace period).
 */

const KDIR = join(ROOT, 'deploy', 'kubernetes');
const OVERLAYS = readdirSync(join(KDIR, 'overlays')).sort();
const TARGETS = ['base', ...OVERLAYS.map((o) => `overlays/${o}`)];
const WITH_KUBECTL = process.env.WREN_TEST_KUBECTL === '1';
const support = shippedConfigSupport();

type Obj = Record<string, unknown>;
const find = (objs: K8sObject[], kind: string, prefix = '') => objs.filter((o) => o.kind === kind && o.metadata.name.startsWith(prefix));
const one = (objs: K8sObject[], kind: string, prefix = '') => {
  const hits = find(objs, kind, prefix);
  expect(hits, `${kind} ${prefix}`).toHaveLength(1);
  return hits[0]!;
};
const sortKey = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const sorted = (objs: K8sObject[]) => [...objs].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));

function parts(objs: K8sObject[]) {
  const ds = one(objs, 'DaemonSet', 'wren');
  const pod = podSpec(ds)!;
  const container = (pod.containers as Obj[])[0]!;
  const config = one(objs, 'ConfigMap', 'wren-config').data as Record<string, string>;
  const site = one(objs, 'ConfigMap', 'wren-site').data as Record<string, string>;
  return { ds, pod, container, config, site };
}

/** `Key value` of a classic section file, first occurrence, case-insensitive. */
function classicValue(text: string, key: string): string | undefined {
  const m = new RegExp(`^\\s*${key.replace('.', '\\.')}\\s+(.+?)\\s*$`, 'im').exec(text);
  return m?.[1];
}

describe.each(TARGETS)('deploy/kubernetes/%s', (target) => {
  const objects = renderKustomization(join(KDIR, target));

  it.skipIf(!WITH_KUBECTL)('renders the same objects as kubectl kustomize (a layer: WREN_TEST_KUBECTL=1)', () => {
    const r = spawnSync('kubectl', ['kustomize', join(KDIR, target)], { encoding: 'utf8' });
    if (r.error) throw new Error(`WREN_TEST_KUBECTL=1 but kubectl cannot run: ${r.error.message}`);
    expect(r.status, r.stderr).toBe(0);
    expect(sorted(parseManifests(r.stdout, 'kubectl kustomize'))).toEqual(sorted(objects));
  });

  it('validates against the Kubernetes OpenAPI schemas', async () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'ConfigMap', 'DaemonSet', 'Namespace', 'ServiceAccount']);
    expect(await validateWithModels(objects)).toEqual([]);
  });

  it('grants the kubernetes filter get/list/watch on pods and namespaces only', () => {
    const role = one(objects, 'ClusterRole');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }]);
    const binding = one(objects, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    const sa = one(objects, 'ServiceAccount');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    expect(podSpec(one(objects, 'DaemonSet'))!.serviceAccountName).toBe(sa.metadata.name);
  });

  it('runs the DaemonSet as the README says: every node, probes, limits, least privilege', () => {
    const { pod, container, config } = parts(objects);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    // grace: Kubernetes waits longer than Wren keeps flushing after SIGTERM
    const grace = Number(classicValue(config['fluent-bit.conf']!, 'Grace'));
    expect(grace).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds as number).toBeGreaterThan(grace);
    // probes on the health endpoints of the port the config serves
    const port = Number(classicValue(config['fluent-bit.conf']!, 'HTTP_Port'));
    expect(classicValue(config['fluent-bit.conf']!, 'HTTP_Server')).toMatch(/^on$/i);
    expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/api/v1/uptime', port: 'http' } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/api/v1/health', port: 'http' } });
    // memory: requests and limits from the memory targets, for the Mem_Buf_Limit they assume
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '200Mi' } });
    expect(classicValue(config['input-kubernetes.conf']!, 'Mem_Buf_Limit')).toBe('5MB');
    // least privilege: uid 0 for root-owned 0640 log files, and nothing else
    expect(container.securityContext).toEqual({
      runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, privileged: false, allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.hostPID).toBeUndefined();
  });

  it('mounts host logs read-only and writes only to /var/lib/wren and /tmp', () => {
    const { pod, container } = parts(objects);
    const volumes = new Map((pod.volumes as Obj[]).map((v) => [v.name as string, v]));
    const mounts = container.volumeMounts as Array<{ name: string; mountPath: string; readOnly?: boolean }>;
    const writable = mounts.filter((m) => !m.readOnly).map((m) => m.mountPath).sort();
    expect(writable).toEqual(['/tmp', '/var/lib/wren']);
    const byPath = new Map(mounts.map((m) => [m.mountPath, m]));
    expect(volumes.get(byPath.get('/var/log')!.name)).toEqual({ name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } });
    expect(volumes.get(byPath.get('/var/lib/wren')!.name)).toEqual({ name: 'state', hostPath: { path: '/var/lib/wren', type: 'DirectoryOrCreate' } });
    expect(volumes.get(byPath.get('/tmp')!.name)).toMatchObject({ emptyDir: {} });
    for (const m of mounts) {
      const v = volumes.get(m.name)!;
      if (v.hostPath && m.mountPath !== '/var/lib/wren') expect(m.readOnly, m.mountPath).toBe(true);
    }
  });

  it('wires the ConfigMap as Fluent Bit users expect: --config, @INCLUDEs, parsers, state paths, env', () => {
    const { pod, container, config, site } = parts(objects);
    const cfgVolume = (pod.volumes as Obj[]).find((v) => (v.configMap as Obj | undefined)?.name === one(objects, 'ConfigMap', 'wren-config').metadata.name)!;
    const mount = (container.volumeMounts as Obj[]).find((m) => m.name === cfgVolume.name)!;
    expect(container.args).toEqual([`--config=${mount.mountPath as string}/fluent-bit.conf`]);
    for (const inc of config['fluent-bit.conf']!.matchAll(/^@INCLUDE\s+(\S+)/gm)) expect(Object.keys(config)).toContain(inc[1]);
    expect(classicValue(config['fluent-bit.conf']!, 'Parsers_File')).toBe('/fluent-bit/etc/parsers.conf');
    expect(classicValue(config['fluent-bit.conf']!, 'storage.path')).toMatch(/^\/var\/lib\/wren\//);
    expect(classicValue(config['input-kubernetes.conf']!, 'DB')).toMatch(/^\/var\/lib\/wren\//);
    // every ${VAR} the config reads is set: the site ConfigMap, the downward API, the container env
    const env = new Set([...Object.keys(site), ...((container.env ?? []) as Obj[]).map((e) => e.name as string)]);
    expect((container.env as Obj[]).filter((e) => (e.valueFrom as Obj | undefined)?.fieldRef))
      .toEqual(['NODE_NAME', 'HOST_NAME'].map((name) => ({ name, valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } })));
    for (const text of Object.values(config)) {
      for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)) if (!m[2]) expect(env, m[0]).toContain(m[1]);
    }
  });

  it.skipIf(!support.ok)(`passes wren check with the site's environment ${support.ok ? '' : `(skipped: ${support.reason})`}`, async () => {
    const { config, site } = parts(objects);
    const dir = join(tempDir('wren-k8s-'), 'conf');
    mkdirSync(dir);
    for (const [name, text] of Object.entries(config)) {
      writeFileSync(join(dir, name), text.replaceAll('/fluent-bit/etc/parsers.conf', join(ROOT, 'deploy/image/rootfs/fluent-bit/etc/parsers.conf')));
    }
    const r = await runWren(['check', '-c', join(dir, 'fluent-bit.conf')], { env: { ...site, NODE_NAME: 'node-1', HOST_NAME: 'node-1' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('deploy/kubernetes', () => {
  it('has no field the Kubernetes API does not know, in any rendered object', () => {
    const rendered = TARGETS.map((t) => renderKustomization(join(KDIR, t)).map((o) => ({ t, o }))).flat();
    expect(strictFieldErrors(rendered.map((r) => r.o), rendered.map((r) => `${r.t}: `))).toEqual([]);
  });
});

describe('deploy/kubernetes overlays', () => {
  const render = (o: string) => renderKustomization(join(KDIR, 'overlays', o));

  it('are the three the README documents', () => {
    expect(OVERLAYS).toEqual(['behind-proxy', 'cloudwatch-pod-identity', 'opensearch-irsa']);
  });

  it('opensearch-irsa: IRSA role on the service account, SigV4 to OpenSearch, no IMDS', () => {
    const objs = render('opensearch-irsa');
    expect(one(objs, 'ServiceAccount').metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/.+/);
    const out = parts(objs).config['output.conf']!;
    expect(classicValue(out, 'Name')).toBe('opensearch');
    expect(classicValue(out, 'AWS_Auth')).toMatch(/^on$/i);
    expect(classicValue(out, 'aws_imds')).toBe('off');
  });

  it('cloudwatch-pod-identity: no role in the manifests (the association names it), CloudWatch Logs output', () => {
    const objs = render('cloudwatch-pod-identity');
    expect(one(objs, 'ServiceAccount').metadata.annotations).toBeUndefined();
    const { config, site } = parts(objs);
    expect(classicValue(config['output.conf']!, 'Name')).toBe('cloudwatch_logs');
    expect(site.AWS_REGION).toBeTruthy();
  });

  it('behind-proxy: destination traffic through the proxy, the cluster direct, IMDS off, credentials file from a Secret', () => {
    const objs = render('behind-proxy');
    const { pod, container, config, site } = parts(objs);
    expect(site.HTTPS_PROXY).toMatch(/^http:\/\//);
    expect(site.AWS_EC2_METADATA_DISABLED).toBe('true');
    const noProxy = parseNoProxy(site.NO_PROXY);
    const kubeUrl = new URL(classicValue(config['filter-kubernetes.conf']!, 'Kube_URL')!);
    expect(noProxy.bypass(kubeUrl.hostname, Number(kubeUrl.port || 443))).toBe(true);
    expect(noProxy.bypass(`logs.${site.AWS_REGION}.amazonaws.com`, 443)).toBe(false);
    const credFile = (container.env as Obj[]).find((e) => e.name === 'AWS_SHARED_CREDENTIALS_FILE')!.value as string;
    const mount = (container.volumeMounts as Obj[]).find((m) => credFile.startsWith(`${m.mountPath as string}/`))!;
    expect(mount.readOnly).toBe(true);
    expect((pod.volumes as Obj[]).find((v) => v.name === mount.name)!.secret).toMatchObject({ secretName: 'wren-aws-credentials' });
    expect(classicValue(config['output.conf']!, 'aws_imds')).toBe('off');
  });
});
