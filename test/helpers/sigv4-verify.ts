import { createHash } from 'node:crypto';
import aws4 from 'aws4';

/**
 * Checks a received request's SigV4 signature with an independent implementation (`aws4`), never
 * Wren's own signer. Loopback fakes (STS, OpenSearch, CloudWatch) call it on every request.
 */
export interface ReceivedForVerify {
  method: string;
  /** Path and query as received on the wire. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer | Uint8Array | string;
}

export interface VerifyExpect {
  secretAccessKey: string;
  /** When given, the Credential scope must name them. */
  accessKeyId?: string;
  region?: string;
  service?: string;
  /** The session token the request must carry (signed) in x-amz-security-token. */
  sessionToken?: string;
  /** Reject a signing time further than this from `now` (default 5 min, as AWS). */
  maxSkewMs?: number;
  now?: number;
}

export type VerifyResult =
  | { ok: true; accessKeyId: string; region: string; service: string; signedHeaders: string[] }
  | { ok: false; reason: string };

const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function header(h: ReceivedForVerify['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function amzDateMs(d: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(d);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

export function verifySigV4(req: ReceivedForVerify, expect: VerifyExpect): VerifyResult {
  const auth = header(req.headers, 'authorization');
  if (!auth) return { ok: false, reason: 'no Authorization header' };
  const m = AUTH_RE.exec(auth);
  if (!m) return { ok: false, reason: `Authorization header is not AWS4-HMAC-SHA256: ${auth.slice(0, 60)}` };
  const [, accessKeyId, day, region, service, signedList, signature] = m as unknown as string[];
  if (expect.accessKeyId && accessKeyId !== expect.accessKeyId) return { ok: false, reason: `signed with key ${accessKeyId}, expected ${expect.accessKeyId}` };
  if (expect.region && region !== expect.region) return { ok: false, reason: `credential scope region ${region}, expected ${expect.region}` };
  if (expect.service && service !== expect.service) return { ok: false, reason: `credential scope service ${service}, expected ${expect.service}` };
  const amzDate = header(req.headers, 'x-amz-date');
  if (!amzDate) return { ok: false, reason: 'no x-amz-date header' };
  if (!amzDate.startsWith(day!)) return { ok: false, reason: `x-amz-date ${amzDate} does not match the scope date ${day}` };
  const skew = Math.abs((expect.now ?? Date.now()) - amzDateMs(amzDate));
  if (!(skew <= (expect.maxSkewMs ?? 300_000))) return { ok: false, reason: `signature time ${amzDate} is ${Math.round(skew / 1000)} s off (RequestTimeTooSkewed)` };
  const signed = signedList!.split(';');
  for (const required of ['host', 'x-amz-date']) {
    if (!signed.includes(required)) return { ok: false, reason: `${required} is not among the signed headers (${signedList})` };
  }
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body as Uint8Array);
  const contentSha = header(req.headers, 'x-amz-content-sha256');
  if (contentSha !== undefined && contentSha !== 'UNSIGNED-PAYLOAD') {
    const actual = createHash('sha256').update(body).digest('hex');
    if (contentSha !== actual) return { ok: false, reason: 'x-amz-content-sha256 does not match the body received' };
  }
  if (expect.sessionToken !== undefined) {
    if (header(req.headers, 'x-amz-security-token') !== expect.sessionToken) return { ok: false, reason: 'x-amz-security-token is missing or not the session token' };
    if (!signed.includes('x-amz-security-token')) return { ok: false, reason: 'x-amz-security-token is not signed' };
  }
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const v = header(req.headers, name);
    if (v === undefined) return { ok: false, reason: `signed header ${name} was not received` };
    headers[name] = v;
  }
  const signer = new aws4.RequestSigner({
    method: req.method, host: headers.host, path: req.path, headers, body: body as unknown as string,
    service, region, doNotModifyHeaders: true,
  } as aws4.Request, { accessKeyId, secretAccessKey: expect.secretAccessKey }) as unknown as {
    datetime: string; prepareRequest(): void; signature(): string; signedHeaders(): string; canonicalString(): string;
  };
  signer.prepareRequest();
  signer.datetime = amzDate;
  if (signer.signedHeaders() !== signedList) return { ok: false, reason: `aws4 would sign headers ${signer.signedHeaders()}, request signed ${signedList}` };
  const expected = signer.signature();
  if (expected !== signature) {
    return { ok: false, reason: `signature mismatch (aws4 canonical request:\n${signer.canonicalString()})` };
  }
  return { ok: true, accessKeyId: accessKeyId!, region: region!, service: service!, signedHeaders: signed };
}
