import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback EC2 instance metadata service with the behaviours seen in the field:
 * - 'v2': healthy, IMDSv2 tokens optional (HttpTokens=optional);
 * - 'v2-only': HttpTokens=required: a GET without a valid token gets 401;
 * - 'hop-limit': the token PUT is never answered (its reply died at hop limit 1) while GETs answer;
 * - 'hang': accepts connections, never answers anything;
 * - 'v1-only': no token API (PUT answers 404), GETs answer without a token.
 * Every request is recorded on arrival (before any answer), so tests can assert it saw nothing.
 */
export type ImdsBehaviour = 'v2' | 'v2-only' | 'hop-limit' | 'hang' | 'v1-only';

export interface ImdsRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export interface ImdsFakeOptions {
  behaviour: ImdsBehaviour;
  /** Answer the token PUT only after this long (a slow IMDS, not a hop limit). */
  putDelayMs?: number;
  /** With 'hop-limit': also refuse GETs without a token (HttpTokens=required). */
  tokensRequired?: boolean;
  /** The instance profile's role; undefined with `noRole`. */
  role?: string;
  noRole?: boolean;
  /** Lifetime of issued credentials (default 6 h). */
  credentialTtlMs?: number;
  region?: string;
  /**
   * Instance metadata answered to GETs, by path under /latest/ without the trailing slash
   * (`meta-data/instance-id`, `dynamic/instance-identity/document`, `meta-data/tags/instance`…);
   * read at each request, so a test may change it. A path not in it answers 404.
   */
  metadata?: Record<string, string>;
}

export interface ImdsFake {
  url: string;
  port: number;
  received: ImdsRequest[];
  connections: number;
  /** Credentials issued so far, newest last. */
  issued: { accessKeyId: string; secretAccessKey: string; token: string; expiration: string }[];
  setBehaviour(b: ImdsBehaviour): void;
  close(): Promise<void>;
}

let serial = 0;

export async function startImdsFake(o: ImdsFakeOptions): Promise<ImdsFake> {
  const received: ImdsRequest[] = [];
  const issued: ImdsFake['issued'] = [];
  const tokens = new Set<string>();
  const role = o.role ?? 'wren-node-role';
  let behaviour = o.behaviour;
  let connections = 0;

  const text = (res: ServerResponse, status: number, body: string) =>
    res.writeHead(status, { 'content-type': 'text/plain', server: 'EC2ws' }).end(body);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    received.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, at: performance.now() });
    req.resume();
    if (behaviour === 'hang') return;
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      if (behaviour === 'hop-limit') return; // the answer never makes it back
      if (behaviour === 'v1-only') return text(res, 404, 'Not Found');
      if (req.headers['x-forwarded-for']) return text(res, 403, 'Forbidden');
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!(ttl >= 1 && ttl <= 21600)) return text(res, 400, 'Bad Request');
      const token = `imds-token-${++serial}==`;
      tokens.add(token);
      if (o.putDelayMs) {
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain', 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) }).end(token), o.putDelayMs);
        return;
      }
      return res.writeHead(200, { 'content-type': 'text/plain', 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) }).end(token);
    }
    if (req.method !== 'GET') return text(res, 405, 'Method Not Allowed');
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (token !== undefined && !tokens.has(String(token))) return text(res, 401, 'Unauthorized');
    const required = behaviour === 'v2-only' || (behaviour === 'hop-limit' && o.tokensRequired);
    if (token === undefined && required) return text(res, 401, 'Unauthorized');
    const base = '/latest/meta-data/iam/security-credentials/';
    if (req.url === '/latest/meta-data/') return text(res, 200, 'ami-id\niam/\nplacement/\n');
    if (req.url === '/latest/meta-data/placement/region') return text(res, 200, o.region ?? 'us-east-1');
    if (req.url === base) return o.noRole ? text(res, 404, 'Not Found') : text(res, 200, `${role}\n`);
    const meta = o.metadata && /^\/latest\/(.+?)\/?$/.exec(decodeURIComponent(req.url ?? ''));
    if (meta && o.metadata![meta[1]!] !== undefined) return text(res, 200, o.metadata![meta[1]!]!);
    if (req.url === `${base}${role}` && !o.noRole) {
      const n = ++serial;
      const creds = {
        accessKeyId: `ASIAIMDSFAKE${String(n).padStart(8, '0')}`,
        secretAccessKey: `imdsSecret${n}/EXAMPLEKEY`,
        token: `IQoJb3JpZ2luEXAMPLE${n}==`,
        expiration: new Date(Date.now() + (o.credentialTtlMs ?? 6 * 3_600_000)).toISOString().replace(/\.\d+Z$/, 'Z'),
      };
      issued.push(creds);
      return res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify({
        Code: 'Success', LastUpdated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), Type: 'AWS-HMAC',
        AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, Token: creds.token, Expiration: creds.expiration,
      }, null, 2));
    }
    return text(res, 404, 'Not Found');
  };

  const server = createServer(handle);
  server.on('connection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    get connections() { return connections; },
    issued,
    setBehaviour(b) { behaviour = b; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
