import type { ServerResponse } from 'node:http';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from './recording-server.js';
import { verifySigV4 } from './sigv4-verify.js';

/**
 * A loopback Amazon Data Firehose (`Firehose_20150804.PutRecordBatch`) and Kinesis Data Streams
 * (`Kinesis_20131202.PutRecords`) that behave like the services for what Wren uses: AWS JSON 1.1,
 * SigV4 checked on every request with `aws4`, the limits enforced (Firehose: 1-500 records, each
 * ≤ 1,000 KiB decoded, ≤ 4 MiB a call; Kinesis: 1-500 records, data + partition key ≤ 1 MiB each,
 * ≤ 5 MiB a call, keys 1-256 characters), unknown streams answered ResourceNotFoundException, and
 * faults on demand: per-record failures (FailedPutCount / FailedRecordCount with an ErrorCode on
 * the entry), whole-call throttling, 5xx, 413 for bodies over `maxBodyBytes`, expired tokens.
 * Accepted records are stored per stream in arrival order.
 */
export interface FakeKey { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

export interface StoredRecord {
  data: Buffer;
  partitionKey?: string;
}

export type PutFault =
  | { kind: 'throttle'; times?: number }
  | { kind: 'status'; status: number; times?: number }
  | { kind: 'too-large'; times?: number }
  | { kind: 'expired-token'; times?: number }
  /** Per-record failures for the next `times` calls: `fail(i)` gives the entry's ErrorCode, or undefined. */
  | { kind: 'records'; times?: number; fail: (i: number, data: Buffer, partitionKey: string | undefined) => string | undefined };

export interface FakePutRecordsOptions {
  service: 'firehose' | 'kinesis';
  keys: FakeKey[];
  region?: string;
  /** Streams that exist (default: 'logs'). */
  streams?: string[];
  /** Bodies larger than this get 413 (a gateway's cap); default none. */
  maxBodyBytes?: number;
}

export interface FakePutRecords {
  url: string;
  server: RecordingServer;
  /** Accepted records of a stream, in arrival order. */
  records(stream?: string): StoredRecord[];
  /** Every call: how many records, and the answer's status. */
  calls: Array<{ records: number; status: number; failed: number; bytes: number }>;
  signatureFailures: string[];
  /** Limit violations Wren committed (a test expects none). */
  violations: string[];
  inject(f: PutFault): void;
  close(): Promise<void>;
}

const MB = 1024 * 1024;

class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

export async function startFakePutRecords(o: FakePutRecordsOptions): Promise<FakePutRecords> {
  const firehose = o.service === 'firehose';
  const target = firehose ? 'Firehose_20150804.PutRecordBatch' : 'Kinesis_20131202.PutRecords';
  const region = o.region ?? 'us-east-1';
  const store = new Map<string, StoredRecord[]>((o.streams ?? ['logs']).map((s) => [s, []]));
  const calls: FakePutRecords['calls'] = [];
  const signatureFailures: string[] = [];
  const violations: string[] = [];
  const faults: Array<PutFault & { left: number }> = [];

  const send = (res: ServerResponse, status: number, body: unknown, type?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
    if (type) headers['x-amzn-errortype'] = `${type}:http://internal.amazon.com/coral/com.amazonaws.${o.service}/`;
    res.writeHead(status, headers).end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, e: ApiError, n = 0, bytes = 0) => {
    calls.push({ records: n, status: e.status, failed: n, bytes });
    send(res, e.status, { __type: e.type, message: e.message }, e.type);
  };
  const takeFault = (kind: PutFault['kind']) => {
    const f = faults.find((x) => x.kind === kind && x.left > 0);
    if (f) f.left--;
    return f;
  };

  const handle = (req: ReceivedRequest, res: ServerResponse): void => {
    const akid = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
    const key = o.keys.find((k) => k.accessKeyId === akid);
    if (!akid) return fail(res, new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403));
    if (!key) return fail(res, new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.'));
    const v = verifySigV4(req, { secretAccessKey: key.secretAccessKey, accessKeyId: key.accessKeyId, region, service: o.service, sessionToken: key.sessionToken });
    if (!v.ok) {
      signatureFailures.push(v.reason);
      return fail(res, new ApiError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.'));
    }
    if (o.maxBodyBytes !== undefined && req.body.length > o.maxBodyBytes || takeFault('too-large')) {
      calls.push({ records: 0, status: 413, failed: 0, bytes: req.body.length });
      res.writeHead(413, { 'content-type': 'text/plain' }).end('Request Entity Too Large');
      return;
    }
    if (takeFault('expired-token')) return fail(res, new ApiError('ExpiredTokenException', 'The security token included in the request is expired'));
    if (req.headers['x-amz-target'] !== target) return fail(res, new ApiError('UnknownOperationException', `unknown operation ${req.headers['x-amz-target'] ?? ''}`));
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1') return fail(res, new ApiError('SerializationException', 'bad content type'));
    let input: { DeliveryStreamName?: unknown; StreamName?: unknown; Records?: unknown };
    try {
      input = JSON.parse(req.body.toString('utf8')) as typeof input;
    } catch {
      return fail(res, new ApiError('SerializationException', 'Start of structure or map found where not expected.'));
    }
    const records = Array.isArray(input.Records) ? (input.Records as Array<{ Data?: unknown; PartitionKey?: unknown }>) : [];
    const n = records.length;
    try {
      const name = firehose ? input.DeliveryStreamName : input.StreamName;
      if (typeof name !== 'string' || !store.has(name)) throw new ApiError('ResourceNotFoundException', `Stream ${String(name)} under account 123456789012 not found.`);
      if (n < 1 || n > 500) throw new ApiError(firehose ? 'InvalidArgumentException' : 'ValidationException', `1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500 (got ${n})`);
      const decoded: StoredRecord[] = [];
      let total = 0;
      for (const r of records) {
        if (typeof r.Data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(r.Data) || r.Data.length % 4 !== 0) throw new ApiError('SerializationException', 'Data is not base64');
        const data = Buffer.from(r.Data, 'base64');
        let size = data.length;
        if (!firehose) {
          if (typeof r.PartitionKey !== 'string' || r.PartitionKey.length < 1 || r.PartitionKey.length > 256) throw new ApiError('ValidationException', 'partitionKey must be 1-256 characters');
          size += Buffer.byteLength(r.PartitionKey);
        }
        if (size > (firehose ? 1_024_000 : MB)) throw new ApiError('ValidationException', `record of ${size} bytes is over the limit`);
        total += size;
        decoded.push({ data, partitionKey: firehose ? undefined : (r.PartitionKey as string) });
      }
      if (total > (firehose ? 4 * MB : 5 * MB)) throw new ApiError(firehose ? 'InvalidArgumentException' : 'InvalidArgumentException', `request of ${total} bytes is over the limit`);
      if (takeFault('throttle')) {
        throw firehose
          ? new ApiError('ServiceUnavailableException', 'Slow down.', 503)
          : new ApiError('ProvisionedThroughputExceededException', 'Rate exceeded for stream logs under account 123456789012.');
      }
      const st = takeFault('status') as Extract<PutFault, { kind: 'status' }> | undefined;
      if (st) throw new ApiError('InternalFailure', 'injected failure', st.status);
      const per = takeFault('records') as Extract<PutFault, { kind: 'records' }> | undefined;
      const results: unknown[] = [];
      let failed = 0;
      const stream = store.get(name)!;
      decoded.forEach((d, i) => {
        const code = per?.fail(i, d.data, d.partitionKey);
        if (code) {
          failed++;
          results.push({ ErrorCode: code, ErrorMessage: `injected ${code}` });
          return;
        }
        stream.push(d);
        results.push(firehose ? { RecordId: `r-${stream.length}` } : { SequenceNumber: String(49_000_000 + stream.length), ShardId: 'shardId-000000000000' });
      });
      calls.push({ records: n, status: 200, failed, bytes: req.body.length });
      send(res, 200, firehose ? { FailedPutCount: failed, Encrypted: false, RequestResponses: results } : { FailedRecordCount: failed, Records: results });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.type === 'ValidationException' || err.type === 'InvalidArgumentException' || err.type === 'SerializationException') violations.push(err.message);
      fail(res, err, n, req.body.length);
    }
  };

  const server = await startRecordingServer(handle);
  server.received.length = 0;
  return {
    url: server.url,
    server,
    records: (s = 'logs') => store.get(s) ?? [],
    calls,
    signatureFailures,
    violations,
    inject: (f) => { faults.push({ ...f, left: f.times ?? 1 }); },
    close: () => server.close(),
  };
}
