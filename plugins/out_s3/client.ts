import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { AwsAuth } from '../../src/aws/auth.js';
import { errorLine } from '../../src/errors.js';
import { headerValue, retryAfterMs, type IncomingResponse, type OutgoingRequest } from '../../src/net/request.js';
import { bodySnippet, signAndSend } from '../../src/sink/send.js';

/**
 * The S3 REST calls the s3 output makes (PutObject, CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, HeadObject), signed with SigV4 (`s3`, payload
 * hash in x-amz-content-sha256), with Content-MD5 when asked. Requests are path-style
 * (`https://endpoint/bucket/key`) for configured endpoints (IPs, localhost, MinIO, gateways: as
 * Fluent Bit always does) and virtual-hosted (`https://bucket.s3.region.amazonaws.com/key`) for
 * the default one when the bucket name allows it.
 */
export type S3Verdict =
  | { kind: 'ok'; res: IncomingResponse }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'no-upload'; reason: string }
  | { kind: 'bad-parts'; reason: string }
  | { kind: 'not-found'; reason: string }
  | { kind: 'refused'; reason: string };

export interface ObjectHeaders {
  contentType?: string;
  contentEncoding?: string;
  storageClass?: string;
  cannedAcl?: string;
}

export interface S3ClientOptions {
  endpoint: URL;
  pathStyle: boolean;
  bucket: string;
  dispatcher: Dispatcher;
  auth: AwsAuth;
  timeoutMs: number;
  contentMd5: boolean;
  autoRetry: boolean;
  signal: AbortSignal;
  onRefresh(why: string): void;
}

/** A key as it goes in the path: each segment percent-encoded (RFC 3986), '/' kept. */
export function encodeKey(key: string): string {
  return key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

/** `<Code>NoSuchUpload</Code>` and the message of an S3 XML error. */
export function s3Error(body: Buffer): { code?: string; message?: string } {
  const text = body.subarray(0, 4096).toString('utf8');
  return { code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1], message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1] };
}

const RETRY_CODES = new Set(['SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeTooSkewed', 'ExpiredToken',
  'TokenRefreshRequired', 'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'NoSuchBucket', 'OperationAborted', 'Throttling', 'ThrottlingException']);

export class S3Client {
  constructor(private readonly o: S3ClientOptions) {}

  url(key: string, query = ''): URL {
    const { endpoint, bucket } = this.o;
    const base = endpoint.href.replace(/\/$/, '');
    if (this.o.pathStyle) return new URL(`${base}/${bucket}/${encodeKey(key)}${query}`);
    return new URL(`${endpoint.protocol}//${bucket}.${endpoint.host}/${encodeKey(key)}${query}`);
  }

  private headers(h: ObjectHeaders, body?: Buffer): Record<string, string> {
    const out: Record<string, string> = { 'user-agent': 'wren' };
    if (h.contentType) out['content-type'] = h.contentType;
    if (h.contentEncoding) out['content-encoding'] = h.contentEncoding;
    if (h.storageClass) out['x-amz-storage-class'] = h.storageClass;
    if (h.cannedAcl) out['x-amz-acl'] = h.cannedAcl;
    if (body && this.o.contentMd5) out['content-md5'] = createHash('md5').update(body).digest('base64');
    return out;
  }

  private async call(what: string, req: OutgoingRequest): Promise<S3Verdict> {
    let res: IncomingResponse;
    try {
      res = await signAndSend(req, {
        dispatcher: this.o.dispatcher, timeoutMs: this.o.timeoutMs, signer: this.o.auth, signal: this.o.signal,
        autoRetry: this.o.autoRetry, onRefresh: (why) => this.o.onRefresh(why),
      });
    } catch (err) {
      return { kind: 'retry', reason: `S3 ${what}: ${errorLine(err)}` };
    }
    return classifyS3(res, what, this.o.bucket);
  }

  putObject(key: string, body: Buffer, h: ObjectHeaders): Promise<S3Verdict> {
    return this.call(`PutObject ${key}`, { method: 'PUT', url: this.url(key), headers: this.headers(h, body), body });
  }

  async createMultipartUpload(key: string, h: ObjectHeaders): Promise<S3Verdict & { uploadId?: string }> {
    const v = await this.call(`CreateMultipartUpload ${key}`, { method: 'POST', url: this.url(key, '?uploads='), headers: this.headers(h), body: '' });
    if (v.kind !== 'ok') return v;
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(v.res.body.toString('utf8'))?.[1];
    if (!id) return { kind: 'retry', reason: `S3 CreateMultipartUpload ${key} answered without an UploadId: ${bodySnippet(v.res.body, 200)}` };
    return { ...v, uploadId: id };
  }

  async uploadPart(key: string, uploadId: string, n: number, body: Buffer): Promise<S3Verdict & { etag?: string }> {
    const q = `?partNumber=${n}&uploadId=${encodeURIComponent(uploadId)}`;
    const v = await this.call(`UploadPart ${n} of ${key}`, { method: 'PUT', url: this.url(key, q), headers: this.headers({}, body), body });
    if (v.kind !== 'ok') return v;
    const etag = headerValue(v.res.headers, 'etag');
    if (!etag) return { kind: 'retry', reason: `S3 UploadPart ${n} of ${key} answered without an ETag` };
    return { ...v, etag };
  }

  completeMultipartUpload(key: string, uploadId: string, parts: ReadonlyArray<{ n: number; etag: string }>): Promise<S3Verdict> {
    const xml = '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
      + parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`).join('')
      + '</CompleteMultipartUpload>';
    const body = Buffer.from(xml);
    return this.call(`CompleteMultipartUpload ${key}`, { method: 'POST', url: this.url(key, `?uploadId=${encodeURIComponent(uploadId)}`), headers: { ...this.headers({}, body), 'content-type': 'application/xml' }, body });
  }

  abortMultipartUpload(key: string, uploadId: string): Promise<S3Verdict> {
    return this.call(`AbortMultipartUpload ${key}`, { method: 'DELETE', url: this.url(key, `?uploadId=${encodeURIComponent(uploadId)}`), headers: { 'user-agent': 'wren' } });
  }

  headObject(key: string): Promise<S3Verdict> {
    return this.call(`HeadObject ${key}`, { method: 'HEAD', url: this.url(key), headers: { 'user-agent': 'wren' } });
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function classifyS3(res: IncomingResponse, what: string, bucket: string): S3Verdict {
  const s = res.status;
  // CompleteMultipartUpload may answer 200 with an <Error> body
  if (s >= 200 && s < 300 && !(what.startsWith('CompleteMultipartUpload') && /<Error>/.test(res.body.subarray(0, 512).toString('utf8')))) return { kind: 'ok', res };
  const { code, message } = s3Error(res.body);
  const reason = `S3 ${what} answered ${s}${code ? ' ' + code : ''}${message ? ': ' + message : ''}`;
  if (code === 'NoSuchUpload') return { kind: 'no-upload', reason };
  if (code === 'InvalidPart' || code === 'InvalidPartOrder' || code === 'EntityTooSmall') return { kind: 'bad-parts', reason };
  if (s === 404 && what.startsWith('HeadObject')) return { kind: 'not-found', reason };
  if ((code !== undefined && RETRY_CODES.has(code)) || s === 401 || s === 403 || s === 404 || s === 408 || s === 413 || s === 429 || s >= 500) {
    const hint = code === 'NoSuchBucket' ? ` (create bucket ${bucket}, or fix the name; staged data is kept)`
      : code === 'AccessDenied' || s === 403 ? ' (grant s3:PutObject on the bucket to the role Wren uses)'
        : s === 413 ? ' (a proxy or gateway refused the body size; lower upload_chunk_size or total_file_size)' : '';
    return { kind: 'retry', reason: reason + hint, retryAfterMs: retryAfterMs(res.headers) };
  }
  return { kind: 'refused', reason };
}
