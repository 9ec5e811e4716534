import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from './recording-server.js';
import { verifySigV4 } from './sigv4-verify.js';

/**
 * A loopback Amazon S3 (path-style) that behaves like the service for what Wren uses: SigV4
 * (`s3`) checked on every request with `aws4`, `x-amz-content-sha256` required and matched,
 * `Content-MD5` checked when sent (BadDigest), PutObject, CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload (parts ascending, ETags matching, every part but the last ≥ 5 MiB:
 * EntityTooSmall), AbortMultipartUpload, HeadObject, GetObject; XML errors; unknown buckets
 * NoSuchBucket. Faults on demand (5xx SlowDown, 413, NoSuchUpload, a stall), and a switch that
 * makes UploadPart fail (to stop a test between parts).
 */
export interface StoredObject {
  body: Buffer;
  headers: Record<string, string>;
}

export interface S3Call {
  op: string;
  key: string;
  status: number;
  part?: number;
  bytes: number;
}

/** no-upload: the upload is gone (a lifecycle rule aborted it); drop-answer: the call is carried out but its answer is lost (the connection drops). */
export type S3Fault = { op?: string; kind: 'status'; status: number; code?: string; times?: number } | { op?: string; kind: 'no-upload' | 'drop-answer'; times?: number };

export interface FakeS3 {
  url: string;
  hostPort: string;
  server: RecordingServer;
  objects: Map<string, StoredObject>;
  calls: S3Call[];
  signatureFailures: string[];
  /** Multipart uploads not completed or aborted. */
  openUploads(): number;
  inject(f: S3Fault): void;
  /** While set, UploadPart answers 503 SlowDown. */
  refuseParts: boolean;
  /** UploadParts accepted before refuseParts turns itself on (Infinity: no limit). */
  partLimit: number;
  close(): Promise<void>;
}

const MIN_PART = 5 * 1024 * 1024;

class S3Err extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export async function startFakeS3(o: { buckets: string[]; accessKeyId: string; secretAccessKey: string; region?: string }): Promise<FakeS3> {
  const objects = new Map<string, StoredObject>();
  const uploads = new Map<string, { key: string; parts: Map<number, { etag: string; body: Buffer }>; headers: Record<string, string> }>();
  const calls: S3Call[] = [];
  const signatureFailures: string[] = [];
  const faults: Array<S3Fault & { left: number }> = [];
  let uploadSeq = 0;
  const state = { refuseParts: false, partLimit: Infinity, partsAccepted: 0 };

  const xmlError = (res: ServerResponse, e: S3Err) => {
    res.writeHead(e.status, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${e.message}</Message><RequestId>R</RequestId></Error>`);
  };
  const objectHeaders = (h: Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const k of ['content-type', 'content-encoding', 'x-amz-storage-class', 'x-amz-acl']) if (h[k] !== undefined) out[k] = h[k]!;
    return out;
  };

  const handle = (req: ReceivedRequest, res: ServerResponse): void => {
    const url = new URL(req.path, 'http://x');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const q = url.searchParams;
    const op = req.method === 'PUT' ? (q.has('partNumber') ? 'UploadPart' : 'PutObject')
      : req.method === 'POST' ? (q.has('uploads') ? 'CreateMultipartUpload' : 'CompleteMultipartUpload')
        : req.method === 'DELETE' ? 'AbortMultipartUpload' : req.method === 'HEAD' ? 'HeadObject' : 'GetObject';
    const part = q.has('partNumber') ? Number(q.get('partNumber')) : undefined;
    const record = (status: number) => calls.push({ op, key, status, part, bytes: req.body.length });
    try {
      const akid = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      if (akid !== o.accessKeyId) throw new S3Err(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
      const sha = req.headers['x-amz-content-sha256'];
      if (!sha) throw new S3Err(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
      const v = verifySigV4(req, { secretAccessKey: o.secretAccessKey, accessKeyId: o.accessKeyId, region: o.region ?? 'us-east-1', service: 's3' });
      if (!v.ok) {
        signatureFailures.push(v.reason);
        throw new S3Err(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
      }
      if (!v.signedHeaders.includes('x-amz-content-sha256')) throw new S3Err(403, 'SignatureDoesNotMatch', 'x-amz-content-sha256 is not signed');
      const md5 = req.headers['content-md5'];
      if (md5 !== undefined && createHash('md5').update(req.body).digest('base64') !== md5) throw new S3Err(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
      if (!o.buckets.includes(bucket)) throw new S3Err(404, 'NoSuchBucket', 'The specified bucket does not exist');
      const f = faults.find((x) => x.left > 0 && (x.op === undefined || x.op === op));
      if (f && f.kind === 'drop-answer') {
        f.left--;
        const real = res;
        // every answer below is `res.writeHead(…).end(…)`: carry out the call, then drop the connection
        res = { writeHead: () => ({ end: () => real.destroy() }) } as unknown as ServerResponse;
      } else if (f) {
        f.left--;
        if (f.kind === 'no-upload') {
          uploads.delete(q.get('uploadId') ?? '');
          throw new S3Err(404, 'NoSuchUpload', 'The specified upload does not exist.');
        }
        if (f.status === 413) {
          record(413);
          res.writeHead(413, { 'content-type': 'text/html' }).end('<html>413 Request Entity Too Large</html>');
          return;
        }
        throw new S3Err(f.status, f.code ?? (f.status === 503 ? 'SlowDown' : 'InternalError'), 'injected');
      }
      switch (op) {
        case 'PutObject':
          objects.set(key, { body: req.body, headers: objectHeaders(req.headers) });
          record(200);
          res.writeHead(200, { etag: `"${createHash('md5').update(req.body).digest('hex')}"` }).end();
          return;
        case 'CreateMultipartUpload': {
          const id = `upload-${++uploadSeq}`;
          uploads.set(id, { key, parts: new Map(), headers: objectHeaders(req.headers) });
          record(200);
          res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
          return;
        }
        case 'UploadPart': {
          const u = uploads.get(q.get('uploadId') ?? '');
          if (!u || u.key !== key) throw new S3Err(404, 'NoSuchUpload', 'The specified upload does not exist.');
          if (state.partsAccepted >= state.partLimit) state.refuseParts = true;
          if (state.refuseParts) throw new S3Err(503, 'SlowDown', 'Please reduce your request rate.');
          state.partsAccepted++;
          const etag = `"${createHash('md5').update(req.body).digest('hex')}"`;
          u.parts.set(part!, { etag, body: req.body });
          record(200);
          res.writeHead(200, { etag }).end();
          return;
        }
        case 'CompleteMultipartUpload': {
          const id = q.get('uploadId') ?? '';
          const u = uploads.get(id);
          if (!u || u.key !== key) throw new S3Err(404, 'NoSuchUpload', 'The specified upload does not exist.');
          const listed = [...req.body.toString('utf8').matchAll(/<Part><PartNumber>(\d+)<\/PartNumber><ETag>([^<]+)<\/ETag><\/Part>/g)].map((m) => ({ n: Number(m[1]), etag: m[2]!.replace(/&quot;/g, '"') }));
          if (listed.length === 0) throw new S3Err(400, 'MalformedXML', 'The XML you provided was not well-formed');
          for (let i = 1; i < listed.length; i++) if (listed[i]!.n <= listed[i - 1]!.n) throw new S3Err(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
          const bodies: Buffer[] = [];
          listed.forEach((p, i) => {
            const got = u.parts.get(p.n);
            if (!got || got.etag !== p.etag) throw new S3Err(400, 'InvalidPart', `One or more of the specified parts could not be found (part ${p.n}).`);
            if (i < listed.length - 1 && got.body.length < MIN_PART) throw new S3Err(400, 'EntityTooSmall', `Your proposed upload is smaller than the minimum allowed size (part ${p.n}: ${got.body.length} bytes)`);
            bodies.push(got.body);
          });
          objects.set(key, { body: Buffer.concat(bodies), headers: u.headers });
          uploads.delete(id);
          record(200);
          res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult><Key>${key}</Key><ETag>"x-${listed.length}"</ETag></CompleteMultipartUploadResult>`);
          return;
        }
        case 'AbortMultipartUpload': {
          if (!uploads.delete(q.get('uploadId') ?? '')) throw new S3Err(404, 'NoSuchUpload', 'The specified upload does not exist.');
          record(204);
          res.writeHead(204).end();
          return;
        }
        case 'HeadObject':
        case 'GetObject': {
          const obj = objects.get(key);
          if (!obj) {
            record(404);
            if (op === 'HeadObject') res.writeHead(404).end();
            else xmlError(res, new S3Err(404, 'NoSuchKey', 'The specified key does not exist.'));
            return;
          }
          record(200);
          res.writeHead(200, { 'content-length': String(obj.body.length), ...obj.headers }).end(op === 'GetObject' ? obj.body : undefined);
          return;
        }
      }
    } catch (err) {
      if (!(err instanceof S3Err)) throw err;
      record(err.status);
      xmlError(res, err);
    }
  };

  const server = await startRecordingServer(handle);
  const fake: FakeS3 = {
    url: server.url,
    hostPort: server.hostPort,
    server,
    objects,
    calls,
    signatureFailures,
    openUploads: () => uploads.size,
    inject: (f) => { faults.push({ ...f, left: f.times ?? 1 }); },
    get refuseParts() { return state.refuseParts; },
    set refuseParts(v: boolean) { state.refuseParts = v; },
    get partLimit() { return state.partLimit; },
    set partLimit(v: number) { state.partLimit = v; state.partsAccepted = 0; },
    close: () => server.close(),
  };
  return fake;
}
