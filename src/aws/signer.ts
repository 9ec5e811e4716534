import { createHmac, hash } from 'node:crypto';
import { isoTime } from '../codec/iso-time.js';
import type { OutgoingRequest } from '../net/request.js';
import type { AwsCredentials } from './types.js';

/**
 * AWS Signature Version 4 (header signing), on node:crypto.
 *
 * Written for the call rate of the Kinesis-family outputs: a Firehose output makes hundreds of
 * signed calls a second. A general signer (smithy's, which Wren used before) costs about 0.3 ms
 * of CPU per call in a process that has not run it thousands of times yet, and a tail → Firehose
 * run spent as much on signing as on sending. This one is one pass over a handful of headers, the
 * payload hash and two HMACs with the day's key cached. It is checked against AWS's published
 * SigV4 test suite and, in every fake, by a second implementation (aws4).
 */

/** Services whose requests must carry `x-amz-content-sha256` (OpenSearch Serverless, S3). */
const CONTENT_SHA256_SERVICES = new Set(['aoss', 's3']);

export function needsContentSha256(service: string): boolean {
  return CONTENT_SHA256_SERVICES.has(service);
}

/** A query as SigV4 reads it: decoded names and values; a name may repeat. */
export type QueryBag = Record<string, string | string[] | null | undefined>;

/** A request in the parts SigV4 works on: the path as sent (percent-encoded), the query decoded. */
export interface SignableParts {
  method: string;
  path: string;
  query: QueryBag;
  /** Any case; lower-cased for the canonical form, sent as given. */
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

const ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CONTENT_SHA256 = 'x-amz-content-sha256';
/** Headers a signer sets itself: any the caller passed are dropped. */
const GENERATED = new Set(['authorization', 'x-amz-date', 'date']);
/** Headers that proxies and clients change on the way: never signed (as the AWS SDKs). */
const UNSIGNABLE = new Set([
  'authorization', 'cache-control', 'connection', 'expect', 'from', 'keep-alive', 'max-forwards', 'pragma', 'referer', 'te',
  'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id',
]);

/**
 * The signing key of a day, region and service, per credentials object (the same object until
 * the chain refreshes them): two HMACs a call instead of six.
 */
const keys = new WeakMap<AwsCredentials, Map<string, Buffer>>();

function signingKey(c: AwsCredentials, day: string, region: string, service: string): Buffer {
  let byScope = keys.get(c);
  if (byScope === undefined) keys.set(c, (byScope = new Map()));
  const scope = `${day}/${region}/${service}`;
  let k = byScope.get(scope);
  if (k === undefined) {
    k = hmac(hmac(hmac(hmac(`AWS4${c.secretAccessKey}`, day), region), service), 'aws4_request');
    // one entry a day per region and service (outputs that share credentials may sign for
    // several): forget the days before
    for (const s of byScope.keys()) if (!s.startsWith(day)) byScope.delete(s);
    byScope.set(scope, k);
  }
  return k;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** One-shot: no Hash object (in a fresh process, createHash cost four times as much for the two hashes of a call). */
function sha256Hex(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex');
}

/** The last second amzDate formatted, and its text: calls come many a second. */
let lastSecond = NaN;
let lastAmzDate = '';

/** `20150830T123600Z` */
function amzDate(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    const s = isoTime(second * 1000);
    lastAmzDate = `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}T${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}Z`;
    lastSecond = second;
  }
  return lastAmzDate;
}

/** RFC 3986 percent-encoding (unreserved characters kept), as SigV4 wants it. */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical path: every service but S3 normalizes it (empty and `.` segments dropped, `..`
 * resolved) and encodes it once more; S3 signs it as sent.
 */
function canonicalPath(path: string, service: string): string {
  if (service === 's3') return path;
  if (path === '/') return path; // most calls (every Kinesis-family and CloudWatch Logs call)
  const segs: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segs.pop();
    else segs.push(seg);
  }
  const norm = `${path.startsWith('/') ? '/' : ''}${segs.join('/')}${segs.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(norm).replace(/%2F/g, '/');
}

function canonicalQuery(query: QueryBag): string {
  const parts: [string, string][] = [];
  for (const name of Object.keys(query)) {
    if (name.toLowerCase() === 'x-amz-signature') continue;
    const v = query[name];
    const k = escapeUri(name);
    if (typeof v === 'string') parts.push([k, `${k}=${escapeUri(v)}`]);
    else if (Array.isArray(v)) parts.push([k, v.map((x) => `${k}=${escapeUri(x)}`).sort().join('&')]);
  }
  parts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return parts.map((p) => p[1]).join('&');
}

/** A header's value in canonical form: line breaks as spaces, runs of blanks as one, trimmed. */
function canonicalValue(v: string): string {
  return /[\r\n\t]| {2}|^ | $/.test(v) ? v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '') : v;
}

/**
 * SigV4-sign request parts. Returns the headers to send: the caller's (less any authorization
 * and dates it set), plus x-amz-date, the session token, x-amz-content-sha256 where the service
 * needs it, and authorization.
 */
export function signParts(parts: SignableParts, o: SignOptions): Record<string, string> {
  const c = o.credentials;
  if (typeof c?.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string') throw new Error('the credentials to sign with have no access key id or secret key');
  const long = amzDate(o.date ?? new Date());
  const day = long.slice(0, 8);
  const headers: Record<string, string> = {};
  let payloadHash: string | undefined;
  for (const name of Object.keys(parts.headers)) {
    const v = parts.headers[name];
    if (v === undefined || v === null) continue;
    const lower = name.toLowerCase();
    if (GENERATED.has(lower)) continue;
    if (lower === CONTENT_SHA256) payloadHash = v;
    headers[name] = v;
  }
  headers['x-amz-date'] = long;
  if (c.sessionToken) headers['x-amz-security-token'] = c.sessionToken;
  if (payloadHash === undefined) {
    const body = parts.body;
    payloadHash = body === undefined || body === null ? EMPTY_SHA256 : sha256Hex(body);
    if (needsContentSha256(o.service)) headers[CONTENT_SHA256] = payloadHash;
  }

  const signed: [string, string][] = [];
  for (const name of Object.keys(headers).sort()) {
    const lower = name.toLowerCase();
    if (UNSIGNABLE.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-')) continue;
    signed.push([lower, canonicalValue(headers[name]!)]);
  }
  // names that differ only in case: the last in sorted order wins, once
  signed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let canonHeaders = '';
  let names = '';
  for (let i = 0; i < signed.length; i++) {
    const [n, v] = signed[i]!;
    if (i + 1 < signed.length && signed[i + 1]![0] === n) continue;
    canonHeaders += `${n}:${v}\n`;
    names += names === '' ? n : `;${n}`;
  }

  const canonical = `${parts.method}\n${canonicalPath(parts.path, o.service)}\n${canonicalQuery(parts.query)}\n${canonHeaders}\n${names}\n${payloadHash}`;
  const scope = `${day}/${o.region}/${o.service}/aws4_request`;
  const toSign = `${ALGORITHM}\n${long}\n${scope}\n${sha256Hex(canonical)}`;
  const signature = createHmac('sha256', signingKey(c, day, o.region, o.service)).update(toSign, 'utf8').digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${c.accessKeyId}/${scope}, SignedHeaders=${names}, Signature=${signature}`;
  return headers;
}

function queryBag(url: URL): QueryBag {
  const bag: QueryBag = {};
  if (url.search === '') return bag;
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
export function signRequest(req: OutgoingRequest, o: SignOptions): OutgoingRequest {
  const headers = signParts({
    method: req.method.toUpperCase(),
    path: req.url.pathname,
    query: queryBag(req.url),
    headers: { ...req.headers, host: req.url.host },
    body: req.body,
  }, o);
  return { method: req.method, url: req.url, headers, body: req.body };
}
