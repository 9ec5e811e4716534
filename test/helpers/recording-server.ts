import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request as a loopback fake received it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query as sent on the wire (`/x?a=1`). */
  path: string;
  /** Lower-case names; repeated headers joined with ','. */
  headers: Record<string, string>;
  body: Buffer;
}

export type Reply = (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` or `https://…`. */
  url: string;
  port: number;
  /** `127.0.0.1:<port>`. */
  hostPort: string;
  received: ReceivedRequest[];
  /** Connections accepted (a fake that never answers still counts them). */
  connections: number;
  close(): Promise<void>;
}

export function readRequest(req: IncomingMessage): Promise<ReceivedRequest> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i]!.toLowerCase();
        const v = req.rawHeaders[i + 1]!;
        headers[k] = headers[k] === undefined ? v : `${headers[k]},${v}`;
      }
      resolve({ method: req.method ?? 'GET', path: req.url ?? '/', headers, body: Buffer.concat(chunks) });
    });
  });
}

/** An HTTP (or HTTPS, given a certificate) server on 127.0.0.1:0 that records every request. */
export async function startRecordingServer(
  reply: Reply = (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'); },
  tls?: { certPem: string; keyPem: string },
): Promise<RecordingServer> {
  const received: ReceivedRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    readRequest(req).then(async (r) => {
      received.push(r);
      await reply(r, res);
    }).catch(() => res.destroy());
  };
  const server: Server = tls ? createHttps({ cert: tls.certPem, key: tls.keyPem }, handler) : createHttp(handler);
  const state = { connections: 0 };
  server.on('connection', () => { state.connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    hostPort: `127.0.0.1:${port}`,
    received,
    get connections() { return state.connections; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
