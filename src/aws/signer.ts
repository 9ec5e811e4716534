import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest as SmithyRequest, QueryParameterBag } from '@smithy/types';
import type { OutgoingRequest } from '../net/request.js';
import { NodeSha256 } from './sha256.js';
import type { AwsCredentials } from './types.js';

/** Services whose requests must carry `x-amz-content-sha256` (OpenSearch Serverless, S3). */
const CONTENT_SHA256_SERVICES = new Set(['aoss', 's3']);

export function needsContentSha256(service: string): boolean {
  return CONTENT_SHA256_SERVICES.has(service);
}

/** A request in the parts SigV4 works on: the path as sent (percent-encoded), the query decoded. */
export interface SignableParts {
  method: string;
  hostname: string;
  port?: number;
  protocol?: string;
  path: string;
  query: QueryParameterBag;
  /** Any case; smithy lower-cases for the canonical form. */
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

export interface SignOptions {
  credentials: AwsCredentials;
  region: string;
  service: string;
  /** Signing time (default now). */
  date?: Date;
}

/**
 * Signers by credentials (the same object until they are refreshed), then region and service: a
 * signer keeps its signing key for the day, so a call is not four HMACs more (a Firehose output
 * makes hundreds of calls a second).
 */
const signers = new WeakMap<AwsCredentials, Map<string, SignatureV4>>();

function signerFor(o: SignOptions): SignatureV4 {
  let byScope = signers.get(o.credentials);
  if (byScope === undefined) signers.set(o.credentials, (byScope = new Map()));
  const scope = `${o.region}/${o.service}`;
  let signer = byScope.get(scope);
  if (signer === undefined) {
    signer = new SignatureV4({
      credentials: o.credentials,
      region: o.region,
      service: o.service,
      sha256: NodeSha256,
      applyChecksum: needsContentSha256(o.service),
      // S3 signs the path as sent (its keys are encoded once); every other service encodes it again
      uriEscapePath: o.service !== 's3',
    });
    byScope.set(scope, signer);
  }
  return signer;
}

/** SigV4-sign request parts (adds x-amz-date, authorization, the session token, and the content hash where needed). */
export async function signParts(parts: SignableParts, o: SignOptions): Promise<Record<string, string>> {
  const signer = signerFor(o);
  const req: SmithyRequest = {
    method: parts.method,
    protocol: parts.protocol ?? 'https:',
    hostname: parts.hostname,
    port: parts.port,
    path: parts.path,
    query: parts.query,
    headers: parts.headers,
    body: parts.body,
  };
  const signed = await signer.sign(req, { signingDate: o.date ?? new Date() });
  return signed.headers;
}

function queryBag(url: URL): QueryParameterBag {
  const bag: QueryParameterBag = {};
  for (const [k, v] of url.searchParams) {
    const prev = bag[k];
    if (prev === undefined || prev === null) bag[k] = v;
    else bag[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return bag;
}

/**
 * Sign an outgoing request right before it is sent. The body is signed exactly as it will be sent
 * (the gzip bytes when compressed). Returns a new request; the input is not changed.
 */
export async function signRequest(req: OutgoingRequest, o: SignOptions): Promise<OutgoingRequest> {
  const headers: Record<string, string> = { ...req.headers, host: req.url.host };
  const signed = await signParts({
    method: req.method.toUpperCase(),
    hostname: req.url.hostname,
    port: req.url.port ? Number(req.url.port) : undefined,
    protocol: req.url.protocol,
    path: req.url.pathname,
    query: queryBag(req.url),
    headers,
    body: req.body,
  }, o);
  return { method: req.method, url: req.url, headers: signed, body: req.body };
}
