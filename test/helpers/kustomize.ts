import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A small kustomize for the tests: renders deploy/kubernetes/** without the kustomize binary, for
 * the subset those kustomizations use (resources and bases, namespace, configMapGenerator with
 * files / envs / literals and create / merge / replace, strategic-merge patches by kind and name,
 * ConfigMap name hashes and the references to them). Anything else is an error, so a kustomization
 * that outgrows it fails loudly. When kubectl is installed, test/deploy checks that this renders
 * exactly what `kubectl kustomize` renders.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface Generator { name: string; behavior?: string; files?: string[]; envs?: string[]; literals?: string[] }
interface Kustomization {
  apiVersion?: string; kind?: string; namespace?: string; resources?: string[];
  configMapGenerator?: Generator[]; patches?: Array<{ path: string }>;
}
const KNOWN_KEYS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'configMapGenerator', 'patches']);

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'StorageClass',
  'CustomResourceDefinition', 'PersistentVolume', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

/** List fields of pod specs merged by a key (Kubernetes' patchMergeKey); other lists are replaced. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', volumes: 'name', env: 'name', volumeMounts: 'mountPath',
  ports: 'containerPort', imagePullSecrets: 'name',
};

/** Parse YAML as kubectl and kustomize do (YAML 1.1: 0400 is octal, yes/no are booleans). */
export function parseManifests(text: string, where: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0]!.message}`);
    const v = doc.toJS() as K8sObject | null;
    if (v !== null) out.push(v);
  }
  return out;
}

/** Render the kustomization in `dir` as `kubectl kustomize dir` would. */
export function renderKustomization(dir: string): K8sObject[] {
  const generated = new Set<string>();
  const objects = renderLevel(resolve(dir), generated);
  return applyNameHashes(objects, generated);
}

function readKustomization(dir: string): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((n) => join(dir, n)).find((f) => existsSync(f));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const k = parseManifests(readFileSync(file, 'utf8'), file)[0] as unknown as Kustomization;
  for (const key of Object.keys(k)) if (!KNOWN_KEYS.has(key)) throw new Error(`${file}: the test renderer does not support '${key}'`);
  return k;
}

function renderLevel(dir: string, generated: Set<string>): K8sObject[] {
  const k = readKustomization(dir);
  const objects: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    if (statSync(p).isDirectory()) objects.push(...renderLevel(p, generated));
    else objects.push(...parseManifests(readFileSync(p, 'utf8'), p));
  }
  for (const g of k.configMapGenerator ?? []) generateConfigMap(dir, g, objects, generated);
  if (k.namespace) {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  for (const p of k.patches ?? []) {
    const file = join(dir, p.path);
    for (const patch of parseManifests(readFileSync(file, 'utf8'), file)) {
      const target = objects.find((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
      if (!target) throw new Error(`${file}: no ${patch.kind} named ${patch.metadata.name} to patch`);
      mergeInto(target as unknown as JsonObject, patch as unknown as JsonObject);
    }
  }
  return objects;
}

function generateConfigMap(dir: string, g: Generator, objects: K8sObject[], generated: Set<string>): void {
  const data: Record<string, string> = {};
  for (const f of g.files ?? []) {
    const [key, path] = f.includes('=') ? f.split('=', 2) as [string, string] : [basename(f), f];
    data[key] = readFileSync(join(dir, path), 'utf8');
  }
  for (const e of g.envs ?? []) Object.assign(data, parseEnvFile(readFileSync(join(dir, e), 'utf8')));
  for (const l of g.literals ?? []) {
    const i = l.indexOf('=');
    data[l.slice(0, i)] = l.slice(i + 1);
  }
  const behavior = g.behavior ?? 'create';
  const existing = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === g.name);
  if (behavior === 'create') {
    if (existing) throw new Error(`${dir}: ConfigMap ${g.name} already exists (use behavior: merge)`);
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data });
    generated.add(g.name);
  } else {
    if (!existing) throw new Error(`${dir}: no ConfigMap ${g.name} to ${behavior}`);
    existing.data = behavior === 'merge' ? { ...(existing.data as Record<string, string>), ...data } : data;
  }
}

/** KEY=VALUE lines; blank lines and # comments skipped (kustomize's env file format). */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf('=');
    if (i <= 0) throw new Error(`env file line without KEY=VALUE: ${raw}`);
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Strategic merge: maps merge, keyed lists merge by key (new items first, as kustomize), other lists and scalars replace. */
function mergeInto(target: JsonObject, patch: JsonObject): void {
  for (const [key, value] of Object.entries(patch)) {
    const cur = target[key];
    const mergeKey = MERGE_KEYS[key];
    if (Array.isArray(value) && Array.isArray(cur) && mergeKey) {
      const added: Json[] = [];
      for (const item of value) {
        const id = (item as JsonObject)[mergeKey];
        const match = cur.find((c) => (c as JsonObject)[mergeKey] === id);
        if (match) mergeInto(match as JsonObject, item as JsonObject);
        else added.push(item);
      }
      target[key] = [...added, ...cur];
    } else if (isObject(value) && isObject(cur)) {
      mergeInto(cur, value);
    } else {
      target[key] = value;
    }
  }
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * kustomize's ConfigMap name suffix: sha256 of {data, kind, name} as Go's json.Marshal writes it
 * (keys sorted, <>& escaped), its first 10 hex digits with 0, 1, 3, a, e swapped for g, h, k, m, t.
 * kustomize 5 looks the name up as one field called "metadata/name", finds none and hashes "";
 * this does the same, so the suffixes match.
 */
export function configMapHash(data: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const json = JSON.stringify({ data: sorted, kind: 'ConfigMap', name: '' })
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const hex = createHash('sha256').update(json).digest('hex');
  const swap: Record<string, string> = { 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => swap[c] ?? c).join('');
}

function applyNameHashes(objects: K8sObject[], generated: Set<string>): K8sObject[] {
  const renamed = new Map<string, string>();
  for (const o of objects) {
    if (o.kind !== 'ConfigMap' || !generated.has(o.metadata.name)) continue;
    const name = `${o.metadata.name}-${configMapHash(o.data as Record<string, string>)}`;
    renamed.set(o.metadata.name, name);
    o.metadata.name = name;
  }
  for (const o of objects) {
    const pod = podSpec(o);
    if (!pod) continue;
    for (const v of (pod.volumes ?? []) as JsonObject[]) {
      const cm = v.configMap as JsonObject | undefined;
      if (cm && renamed.has(cm.name as string)) cm.name = renamed.get(cm.name as string)!;
    }
    for (const c of [...((pod.containers ?? []) as JsonObject[]), ...((pod.initContainers ?? []) as JsonObject[])]) {
      for (const e of (c.envFrom ?? []) as JsonObject[]) {
        const ref = e.configMapRef as JsonObject | undefined;
        if (ref && renamed.has(ref.name as string)) ref.name = renamed.get(ref.name as string)!;
      }
      for (const e of (c.env ?? []) as JsonObject[]) {
        const ref = (e.valueFrom as JsonObject | undefined)?.configMapKeyRef as JsonObject | undefined;
        if (ref && renamed.has(ref.name as string)) ref.name = renamed.get(ref.name as string)!;
      }
    }
  }
  return objects;
}

/** The pod template spec of a workload, if it is one. */
export function podSpec(o: K8sObject): JsonObject | undefined {
  const spec = o.spec as JsonObject | undefined;
  const template = spec?.template as JsonObject | undefined;
  return template?.spec as JsonObject | undefined;
}
