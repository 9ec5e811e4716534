import type { ServerResponse } from 'node:http';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from './recording-server.js';

/**
 * A loopback ECS / EKS Pod Identity credentials endpoint. It checks the Authorization header
 * against the token it currently expects (tests rotate it, as the Pod Identity agent does) and
 * answers the container credentials JSON.
 */
export interface ContainerFakeOptions {
  /** The token it expects now (undefined: no Authorization required, as ECS relative URIs). */
  token?: () => string | undefined;
  /** 'ecs' adds RoleArn, 'pod-identity' adds AccountId. */
  flavour?: 'ecs' | 'pod-identity';
  credentialTtlMs?: number;
  /** Answer this status instead (e.g. 500). */
  failWith?: number;
}

export interface ContainerFake {
  url: string;
  server: RecordingServer;
  received: ReceivedRequest[];
  issued: { accessKeyId: string; secretAccessKey: string; token: string }[];
  close(): Promise<void>;
}

let serial = 0;

export async function startContainerFake(o: ContainerFakeOptions = {}): Promise<ContainerFake> {
  const issued: ContainerFake['issued'] = [];
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const handle = (req: ReceivedRequest, res: ServerResponse) => {
    if (o.failWith) return json(res, o.failWith, { code: 'ServerError', message: 'fake failure' });
    if (req.method !== 'GET') return json(res, 405, { message: 'GET only' });
    const want = o.token?.();
    if (want !== undefined && req.headers.authorization !== want) {
      return json(res, 401, { code: 'AccessDeniedException', message: 'Authorization token is invalid or expired' });
    }
    const n = ++serial;
    const creds = { accessKeyId: `ASIACONTAINER${String(n).padStart(7, '0')}`, secretAccessKey: `containerSecret${n}/KEY`, token: `ctr-token-${n}` };
    issued.push(creds);
    const expiration = new Date(Date.now() + (o.credentialTtlMs ?? 3_600_000)).toISOString();
    return json(res, 200, {
      AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, Token: creds.token, Expiration: expiration,
      ...(o.flavour === 'pod-identity' ? { AccountId: '123456789012' } : { RoleArn: 'arn:aws:iam::123456789012:role/task' }),
    });
  };
  const server = await startRecordingServer(handle);
  return { url: server.url, server, received: server.received, issued, close: () => server.close() };
}
