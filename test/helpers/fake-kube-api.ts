import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { TestCerts } from './tls-certs.js';

/** How the fake answers every request. */
export type KubeApiMode = 'ok' | 'fail' | 'forbidden' | 'hang';

export interface FakeKubeApi {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Pods served, by `namespace/name`. */
  pods: Map<string, unknown>;
  mode: KubeApiMode;
  /** Delay before each answer, ms. */
  delayMs: number;
  /** The bearer token it accepts (a request without it gets 401). */
  token: string;
  /** Every request: path and whether its token was right. */
  requests: Array<{ path: string; authorized: boolean }>;
  /** Stop listening and cut open connections (hanging ones too): the API is down. */
  close(): Promise<void>;
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

/**
 * A loopback Kubernetes API (and kubelet `/pods`) over real TLS, signed by a test CA. It checks the
 * bearer token like the API server (401 without it), serves `GET /api/v1/namespaces/<ns>/pods/<pod>`
 * and `GET /pods`, and can be told to fail (500), answer 403 like a service account without RBAC
 * on pods, or hang (accept, never answer).
 */
export async function startFakeKubeApi(certs: TestCerts, token: string): Promise<FakeKubeApi> {
  const sockets = new Set<Socket>();
  const api: FakeKubeApi = {
    url: '',
    port: 0,
    pods: new Map(),
    mode: 'ok',
    delayMs: 0,
    token,
    requests: [],
    close: async () => undefined,
  };

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const authorized = req.headers.authorization === `Bearer ${api.token}`;
    api.requests.push({ path, authorized });
    if (api.mode === 'hang') return;
    if (!authorized) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (api.mode === 'fail') return status(res, 500, 'InternalError', 'etcdserver: request timed out');
    const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
    if (api.mode === 'forbidden') {
      return status(res, 403, 'Forbidden', `pods "${pod?.[2] ?? ''}" is forbidden: User "system:serviceaccount:logging:wren" cannot get resource "pods" in API group "" in the namespace "${pod?.[1] ?? ''}"`);
    }
    if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', 'method not allowed');
    if (pod) {
      const found = api.pods.get(`${decodeURIComponent(pod[1]!)}/${decodeURIComponent(pod[2]!)}`);
      if (!found) return status(res, 404, 'NotFound', `pods "${pod[2]}" not found`);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(found));
    }
    if (path === '/pods') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [...api.pods.values()] }));
    }
    return status(res, 404, 'NotFound', 'the server could not find the requested resource');
  };

  const server: Server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    req.resume();
    if (api.delayMs > 0) setTimeout(() => answer(req, res), api.delayMs);
    else answer(req, res);
  });
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.port = (server.address() as AddressInfo).port;
  api.url = `https://127.0.0.1:${api.port}`;
  api.close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
  return api;
}

/** A Pod as the API server returns it (the fields the filter reads, and some it does not). */
export function podJson(namespace: string, name: string, opts: {
  uid?: string; node?: string; ip?: string; labels?: Record<string, string>; annotations?: Record<string, string>;
  containers?: Array<{ name: string; id: string; image: string; imageID: string }>;
} = {}): Record<string, unknown> {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name,
      namespace,
      uid: opts.uid ?? `uid-${name}`,
      labels: opts.labels ?? { app: name.split('-')[0]! },
      annotations: opts.annotations ?? { 'prometheus.io/scrape': 'true' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-rs`, uid: 'rs-1', controller: true }],
      managedFields: [{ manager: 'kubelet', operation: 'Update' }],
    },
    spec: { nodeName: opts.node ?? 'node-1', containers: (opts.containers ?? []).map((c) => ({ name: c.name, image: c.image })) },
    status: {
      phase: 'Running',
      podIP: opts.ip ?? '10.0.0.7',
      containerStatuses: (opts.containers ?? []).map((c) => ({
        name: c.name, ready: true, restartCount: 0, image: c.image, imageID: c.imageID, containerID: `containerd://${c.id}`,
      })),
    },
  };
}
