import type { ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from './recording-server.js';
import { verifySigV4 } from './sigv4-verify.js';

/**
 * A loopback OpenSearch `_bulk` endpoint that answers like the service (managed `es` or
 * Serverless `aoss`): SigV4 checked with aws4 on every request (a bad signature is a 403 as the
 * service sends it), NDJSON parsed (gzip bodies too), documents stored by index (create of an
 * existing _id → 409), and faults injected on demand: item-level errors for chosen documents,
 * whole-request 413 above a size, 429 with Retry-After, 503, expired-token 403.
 */

export interface FakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Requests signed with these get the service's "security token … is expired" 403. */
  expired?: boolean;
}

/** One action of a bulk request, as the item-fault hook sees it. */
export interface ItemInfo {
  op: string;
  index: string;
  id?: string;
  /** The parsed document line (for update: `{doc, doc_as_upsert}`). */
  doc: Record<string, unknown>;
  /** The document line as received. */
  line: string;
  /** How many times this exact document line has been received, this one included (1 = first). */
  attempt: number;
}

export interface ItemFault {
  status: number;
  type?: string;
  reason?: string;
}

export interface RequestInfo {
  /** 1 for the first request this fake received. */
  n: number;
  /** Body bytes as received, and after gunzip. */
  bytes: number;
  decodedBytes: number;
}

export interface RequestFault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeOpenSearchOptions {
  service?: 'es' | 'aoss';
  region?: string;
  /** Credentials accepted: a set, or a lookup by access key id (rotating ones). Unset: no SigV4. */
  credentials?: FakeCredentials[] | ((accessKeyId: string) => FakeCredentials | undefined);
  basicAuth?: { user: string; password: string };
  /** A Serverless time-series collection: documents with a custom _id are refused. */
  timeSeries?: boolean;
  /** Refuse `_type` in action lines, as OpenSearch 2 does (default true). */
  rejectType?: boolean;
  /** Whole-request 413 when the NDJSON (after gunzip) is over this many bytes (default 10 MiB). */
  maxRequestBytes?: number;
  itemFault?: (item: ItemInfo) => ItemFault | undefined;
  requestFault?: (req: RequestInfo) => RequestFault | undefined;
}

export interface StoredDoc {
  index: string;
  id: string;
  source: Record<string, unknown>;
}

export interface ActionSeen {
  op: string;
  meta: Record<string, unknown>;
  /** The document line as received. */
  line: string;
  /** The item status answered. */
  status: number;
}

export interface FakeOpenSearch {
  url: string;
  port: number;
  hostPort: string;
  server: RecordingServer;
  /** Every request, as received. */
  requests: ReceivedRequest[];
  /** Requests whose signature aws4 accepted. */
  verified: number;
  /** Why signatures were refused (a test of a correct client expects none). */
  signatureFailures: string[];
  /** The HTTP status of every answer, in order. */
  statuses: number[];
  /** Every action of the bulk requests that were parsed, with the item status answered. */
  actions: ActionSeen[];
  /** Stored documents, optionally of one index, in first-stored order. */
  documents(index?: string): Record<string, unknown>[];
  stored(index?: string): StoredDoc[];
  indexNames(): string[];
  close(): Promise<void>;
}

const BULK_PATH = /^(?:\/([^/?]+))?\/_bulk\/?(?:\?.*)?$/;

function osError(status: number, type: string, reason: string): unknown {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

export async function startFakeOpenSearch(o: FakeOpenSearchOptions = {}): Promise<FakeOpenSearch> {
  const service = o.service ?? 'es';
  const region = o.region ?? 'us-east-1';
  const maxBytes = o.maxRequestBytes ?? 10 * 1024 * 1024;
  const rejectType = o.rejectType ?? true;
  const indices = new Map<string, Map<string, StoredDoc>>();
  const attempts = new Map<string, number>();
  const state = { n: 0, verified: 0, autoId: 0, seqNo: 0 };
  const signatureFailures: string[] = [];
  const actions: ActionSeen[] = [];
  const statuses: number[] = [];
  const lookup = (akid: string): FakeCredentials | undefined => {
    const c = o.credentials;
    if (c === undefined) return undefined;
    return typeof c === 'function' ? c(akid) : c.find((x) => x.accessKeyId === akid);
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    statuses.push(status);
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  /** True when the request may go on; else the refusal was sent. */
  const authenticate = (req: ReceivedRequest, res: ServerResponse): boolean => {
    if (o.basicAuth) {
      const want = 'Basic ' + Buffer.from(`${o.basicAuth.user}:${o.basicAuth.password}`).toString('base64');
      if (req.headers.authorization !== want) {
        json(res, 401, osError(401, 'security_exception', 'missing authentication credentials for REST request [/_bulk]'));
        return false;
      }
    }
    if (o.credentials === undefined) return true;
    const auth = req.headers.authorization ?? '';
    const akid = /Credential=([^/]+)\//.exec(auth)?.[1];
    if (!akid) {
      json(res, 403, { message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter." });
      return false;
    }
    const creds = lookup(akid);
    if (!creds) {
      json(res, 403, { message: 'The security token included in the request is invalid.' });
      return false;
    }
    if (service === 'aoss' && req.headers['x-amz-content-sha256'] === undefined) {
      signatureFailures.push('x-amz-content-sha256 missing (required by aoss)');
      json(res, 403, { status: 403, error: { reason: 'x-amz-content-sha256 header is required', type: 'AccessDeniedException' } });
      return false;
    }
    const v = verifySigV4(req, { secretAccessKey: creds.secretAccessKey, accessKeyId: creds.accessKeyId, region, service, sessionToken: creds.sessionToken });
    if (!v.ok) {
      signatureFailures.push(v.reason);
      json(res, 403, { message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' });
      return false;
    }
    state.verified++;
    if (creds.expired) {
      json(res, 403, { message: 'The security token included in the request is expired' });
      return false;
    }
    return true;
  };

  const store = (index: string): Map<string, StoredDoc> => {
    let m = indices.get(index);
    if (!m) indices.set(index, (m = new Map()));
    return m;
  };

  const applyItem = (op: string, meta: Record<string, unknown>, index: string, docLine: string): Record<string, unknown> => {
    const id = meta._id === undefined ? undefined : String(meta._id);
    const base = { _index: index, _id: id ?? null };
    const fail = (status: number, type: string, reason: string) => ({ ...base, status, error: { type, reason, index } });
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(docLine) as Record<string, unknown>;
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
    } catch (err) {
      return fail(400, 'mapper_parsing_exception', `failed to parse: ${(err as Error).message}`);
    }
    const attempt = (attempts.get(docLine) ?? 0) + 1;
    attempts.set(docLine, attempt);
    const fault = o.itemFault?.({ op, index, id, doc, line: docLine, attempt });
    if (fault) return fail(fault.status, fault.type ?? (fault.status === 429 ? 'es_rejected_execution_exception' : 'mapper_parsing_exception'), fault.reason ?? `injected ${fault.status}`);
    if (service === 'aoss' && o.timeSeries && id !== undefined && (op === 'create' || op === 'index')) {
      return fail(400, 'illegal_argument_exception', 'Document ID is not supported in create/index operation request');
    }
    const docs = store(index);
    const ok = (status: number, result: string, docId: string) => ({ _index: index, _id: docId, _version: 1, result, _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: state.seqNo++, _primary_term: 1, status });
    switch (op) {
      case 'create': {
        const docId = id ?? `auto-${++state.autoId}`;
        if (docs.has(docId)) return fail(409, 'version_conflict_engine_exception', `[${docId}]: version conflict, document already exists (current version [1])`);
        docs.set(docId, { index, id: docId, source: doc });
        return ok(201, 'created', docId);
      }
      case 'index': {
        const docId = id ?? `auto-${++state.autoId}`;
        const existed = docs.has(docId);
        docs.set(docId, { index, id: docId, source: doc });
        return ok(existed ? 200 : 201, existed ? 'updated' : 'created', docId);
      }
      case 'update': {
        const partial = doc.doc as Record<string, unknown> | undefined;
        if (partial === undefined || typeof partial !== 'object') return fail(400, 'action_request_validation_exception', 'Validation Failed: 1: script or doc is missing;');
        const existing = docs.get(id!);
        if (existing) {
          existing.source = { ...existing.source, ...partial };
          return ok(200, 'updated', id!);
        }
        if (doc.doc_as_upsert !== true) return fail(404, 'document_missing_exception', `[${id}]: document missing`);
        docs.set(id!, { index, id: id!, source: partial });
        return ok(201, 'created', id!);
      }
      default:
        return fail(400, 'illegal_argument_exception', `unsupported action [${op}]`);
    }
  };

  const handle = (req: ReceivedRequest, res: ServerResponse): void => {
    state.n++;
    const m = BULK_PATH.exec(req.path);
    if (req.method !== 'POST' && req.method !== 'PUT') return json(res, 405, osError(405, 'method_not_allowed', `Incorrect HTTP method for uri [${req.path}]`));
    if (!m) return json(res, 404, osError(404, 'index_not_found_exception', `no handler found for uri [${req.path}]`));
    if (!authenticate(req, res)) return;
    let body = req.body;
    if ((req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') {
      try {
        body = gunzipSync(body);
      } catch {
        return json(res, 400, osError(400, 'parse_exception', 'request body is not valid gzip'));
      }
    }
    const fault = o.requestFault?.({ n: state.n, bytes: req.body.length, decodedBytes: body.length });
    if (fault) return json(res, fault.status, fault.body ?? osError(fault.status, 'injected', `injected ${fault.status}`), fault.headers);
    if (body.length > maxBytes) return json(res, 413, { Message: `Request size exceeded ${maxBytes} bytes` });
    const text = body.toString('utf8');
    if (text.length === 0) return json(res, 400, osError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;'));
    if (!text.endsWith('\n')) return json(res, 400, osError(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]'));
    const lines = text.split('\n');
    lines.pop();
    // validate every action line first: an invalid one fails the whole request, as OpenSearch does
    const parsed: Array<{ op: string; meta: Record<string, unknown>; index: string; docLine: string }> = [];
    for (let i = 0; i < lines.length; i += 2) {
      let action: Record<string, Record<string, unknown>>;
      try {
        action = JSON.parse(lines[i]!) as Record<string, Record<string, unknown>>;
      } catch {
        return json(res, 400, osError(400, 'x_content_parse_exception', `[1:1] Unexpected character in action line [${i + 1}]`));
      }
      const op = Object.keys(action)[0] ?? '';
      const meta = action[op] ?? {};
      if (!['create', 'index', 'update', 'delete'].includes(op)) return json(res, 400, osError(400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected one of [create, delete, index, update] but found [${op}]`));
      if (rejectType && '_type' in meta) return json(res, 400, osError(400, 'illegal_argument_exception', `Action/metadata line [${i + 1}] contains an unknown parameter [_type]`));
      const index = (meta._index as string | undefined) ?? m[1];
      if (!index) return json(res, 400, osError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;'));
      if (op === 'update' && meta._id === undefined) return json(res, 400, osError(400, 'action_request_validation_exception', 'Validation Failed: 1: id is missing;'));
      const docLine = lines[i + 1];
      if (docLine === undefined) return json(res, 400, osError(400, 'illegal_argument_exception', `The bulk request must be terminated by a newline [\\n]`));
      parsed.push({ op, meta, index, docLine });
    }
    const items: unknown[] = [];
    let errors = false;
    for (const p of parsed) {
      const item = applyItem(p.op, p.meta, p.index, p.docLine);
      const status = item.status as number;
      actions.push({ op: p.op, meta: p.meta, line: p.docLine, status });
      if (status >= 300) errors = true;
      items.push({ [p.op]: item });
    }
    json(res, 200, { took: 3, errors, items });
  };

  const server = await startRecordingServer(handle);
  const all = (index?: string): StoredDoc[] => {
    const out: StoredDoc[] = [];
    for (const [name, docs] of indices) if (index === undefined || name === index) out.push(...docs.values());
    return out;
  };
  return {
    url: server.url,
    port: server.port,
    hostPort: server.hostPort,
    server,
    requests: server.received,
    get verified() { return state.verified; },
    signatureFailures,
    statuses,
    actions,
    documents: (index) => all(index).map((d) => d.source),
    stored: all,
    indexNames: () => [...indices.keys()],
    close: () => server.close(),
  };
}
