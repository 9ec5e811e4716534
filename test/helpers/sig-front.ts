import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from './recording-server.js';
import { verifySigV4 } from './sigv4-verify.js';

/**
 * A small signature-checking front for an independent service implementation (kinesalite, s3rver)
 * that does not check SigV4 itself: every request's signature is verified with `aws4`, refused
 * with 403 when wrong, then passed on unchanged (or, with `stripAuth`, without the signature
 * headers, for a backend that would check them against keys of its own).
 */
export interface SigFront {
  url: string;
  server: RecordingServer;
  signatureFailures: string[];
  close(): Promise<void>;
}

export async function startSigFront(o: { target: string; service: string; region?: string; secretAccessKey: string; accessKeyId: string; stripAuth?: boolean }): Promise<SigFront> {
  const signatureFailures: string[] = [];
  const handle = async (req: ReceivedRequest, res: ServerResponse) => {
    const v = verifySigV4(req, { secretAccessKey: o.secretAccessKey, accessKeyId: o.accessKeyId, region: o.region ?? 'us-east-1', service: o.service });
    if (!v.ok) {
      signatureFailures.push(v.reason);
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'InvalidSignatureException', message: v.reason }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, val] of Object.entries(req.headers)) {
      if (k === 'host' || k === 'connection' || k === 'content-length' || k === 'transfer-encoding') continue;
      if (o.stripAuth && (k === 'authorization' || k === 'x-amz-date' || k === 'x-amz-security-token' || k === 'x-amz-content-sha256')) continue;
      headers[k] = val;
    }
    const up = await request(o.target + req.path, { method: req.method as 'PUT', headers, body: req.body.length > 0 ? req.body : undefined });
    const body = Buffer.from(await up.body.arrayBuffer());
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(up.headers)) if (val !== undefined && k !== 'transfer-encoding' && k !== 'connection') out[k] = Array.isArray(val) ? val.join(',') : val;
    out['content-length'] = String(body.length);
    res.writeHead(up.statusCode, out).end(body);
  };
  const server = await startRecordingServer((req, res) => handle(req, res).catch((err: unknown) => {
    res.writeHead(502).end(String(err));
  }));
  return { url: server.url, server, signatureFailures, close: () => server.close() };
}
