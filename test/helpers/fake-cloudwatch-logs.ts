import type { ServerResponse } from 'node:http';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from './recording-server.js';
import { verifySigV4 } from './sigv4-verify.js';

/**
 * A loopback Amazon CloudWatch Logs that behaves like the service for what Wren uses: the JSON 1.1
 * protocol (`X-Amz-Target: Logs_20140328.<Op>`), SigV4 checked on every request with `aws4`
 * (bad signature → 400 InvalidSignatureException, unknown key → UnrecognizedClientException),
 * log groups / streams / retention, and PutLogEvents validated as the service does: ≤ 10,000
 * events, ≤ 1,048,576 bytes (UTF-8 message bytes + 26 per event), chronological order, integer
 * timestamps, non-empty messages, ≤ 24 h span, too old (> 14 days or before the retention) / too
 * new (> 2 h ahead) events reported in rejectedLogEventsInfo and not stored.
 * Faults can be injected (throttling, 5xx, expired tokens). Accepted events are stored per
 * group/stream in arrival order, so tests assert exactly what arrived.
 */

export interface FakeKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface StoredEvent {
  timestamp: number;
  message: string;
}

export interface FakeGroup {
  name: string;
  logGroupClass: string;
  retentionInDays?: number;
  streams: Map<string, StoredEvent[]>;
}

export interface Fault {
  /** Operation it applies to (default PutLogEvents; '*' for every operation). */
  op?: string;
  /** throttle: 400 ThrottlingException; unavailable: ServiceUnavailableException (status 503 by default);
   * expired-token: 400 ExpiredTokenException; invalid: 400 InvalidParameterException;
   * status: that status with an InternalFailure body. */
  kind: 'throttle' | 'unavailable' | 'expired-token' | 'invalid' | 'status';
  status?: number;
  /** How many matching calls get it (default 1). */
  times?: number;
  /** Instead of `times`: every n-th matching call gets it, for ever. */
  every?: number;
  retryAfter?: string;
}

export interface FakeCall {
  op: string;
  status: number;
  errorType?: string;
  /** The parsed input. */
  input: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface FakeCloudWatchOptions {
  /** Keys it knows (or a lookup, e.g. over the credentials a container fake issued). */
  keys: FakeKey[] | ((accessKeyId: string) => FakeKey | undefined);
  /** Credential scope region it expects (default us-east-1). */
  region?: string;
  now?: () => number;
  /** Write error types the way the service often does: `__type: "com.amazonaws.logs#X"` and an `x-amzn-ErrorType: X:http://…` header. */
  namespacedErrors?: boolean;
  /** Serve HTTPS with this certificate (test/helpers/tls-certs.ts). */
  tls?: { certPem: string; keyPem: string };
}

export interface FakeCloudWatch {
  url: string;
  server: RecordingServer;
  groups: Map<string, FakeGroup>;
  calls: FakeCall[];
  /** Why signatures were refused (a test expects it empty unless it forged one). */
  signatureFailures: string[];
  /** Accepted events of a stream, in arrival order ([] when none). */
  events(group: string, stream: string): StoredEvent[];
  /** Calls of one operation. */
  callsOf(op: string): FakeCall[];
  createGroup(name: string, retentionInDays?: number): void;
  createStream(group: string, stream: string): void;
  inject(fault: Fault): void;
  /** Refuse every request signed with this key as an expired token from now on. */
  expireKey(accessKeyId: string): void;
  close(): Promise<void>;
}

export const RETENTION_VALUES = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const DAY = 86_400_000;

class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

export async function startFakeCloudWatchLogs(o: FakeCloudWatchOptions): Promise<FakeCloudWatch> {
  const groups = new Map<string, FakeGroup>();
  const calls: FakeCall[] = [];
  const signatureFailures: string[] = [];
  const faults: Array<Fault & { seen: number; left: number }> = [];
  const expired = new Set<string>();
  const now = o.now ?? Date.now;
  const region = o.region ?? 'us-east-1';
  const keyOf = (id: string) => (typeof o.keys === 'function' ? o.keys(id) : o.keys.find((k) => k.accessKeyId === id));

  const sendError = (res: ServerResponse, e: ApiError, extra: Record<string, string> = {}): void => {
    const type = o.namespacedErrors ? `com.amazonaws.logs#${e.type}` : e.type;
    const header = o.namespacedErrors ? `${e.type}:http://internal.amazon.com/coral/com.amazonaws.logs/` : e.type;
    res.writeHead(e.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': header, ...extra })
      .end(JSON.stringify({ __type: type, message: e.message }));
  };

  const group = (name: unknown): FakeGroup => {
    const g = typeof name === 'string' ? groups.get(name) : undefined;
    if (!g) throw new ApiError('ResourceNotFoundException', 'The specified log group does not exist.');
    return g;
  };

  const ops: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateLogGroup(input) {
      const name = input.logGroupName;
      if (typeof name !== 'string' || !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name)) {
        throw new ApiError('InvalidParameterException', `1 validation error detected: Value '${String(name)}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`);
      }
      const cls = input.logGroupClass ?? 'STANDARD';
      if (cls !== 'STANDARD' && cls !== 'INFREQUENT_ACCESS' && cls !== 'DELIVERY') {
        throw new ApiError('InvalidParameterException', `1 validation error detected: Value '${String(cls)}' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [DELIVERY, STANDARD, INFREQUENT_ACCESS]`);
      }
      if (groups.has(name)) throw new ApiError('ResourceAlreadyExistsException', 'The specified log group already exists');
      groups.set(name, { name, logGroupClass: cls, streams: new Map() });
      return {};
    },
    CreateLogStream(input) {
      const g = group(input.logGroupName);
      const s = input.logStreamName;
      if (typeof s !== 'string' || !/^[^:*]{1,512}$/.test(s)) {
        throw new ApiError('InvalidParameterException', `1 validation error detected: Value '${String(s)}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`);
      }
      if (g.streams.has(s)) throw new ApiError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      g.streams.set(s, []);
      return {};
    },
    PutRetentionPolicy(input) {
      const g = group(input.logGroupName);
      const days = input.retentionInDays;
      if (typeof days !== 'number' || !RETENTION_VALUES.includes(days)) {
        throw new ApiError('InvalidParameterException', `1 validation error detected: Value '${String(days)}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_VALUES.join(', ')}]`);
      }
      g.retentionInDays = days;
      return {};
    },
    PutLogEvents(input) {
      const events = input.logEvents;
      if (!Array.isArray(events) || events.length < 1 || events.length > 10_000) {
        throw new ApiError('InvalidParameterException', `1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000 and greater than or equal to 1`);
      }
      let bytes = 0;
      for (const e of events as Array<Record<string, unknown>>) {
        if (typeof e.timestamp !== 'number' || !Number.isInteger(e.timestamp)) {
          throw new ApiError('SerializationException', `Unable to parse timestamp ${String(e.timestamp)} as a long`);
        }
        if (typeof e.message !== 'string' || e.message.length < 1) {
          throw new ApiError('InvalidParameterException', "1 validation error detected: Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }
        bytes += Buffer.byteLength(e.message, 'utf8') + 26;
      }
      if (bytes > 1_048_576) throw new ApiError('InvalidParameterException', `Upload too large: ${bytes} bytes exceeds limit of 1048576`);
      const list = events as StoredEvent[];
      for (let i = 1; i < list.length; i++) {
        if (list[i]!.timestamp < list[i - 1]!.timestamp) {
          throw new ApiError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
        }
      }
      const g = group(input.logGroupName);
      const stream = typeof input.logStreamName === 'string' ? g.streams.get(input.logStreamName) : undefined;
      if (!stream) throw new ApiError('ResourceNotFoundException', 'The specified log stream does not exist.');
      const t = now();
      const tooOld = t - 14 * DAY;
      const expiredBefore = g.retentionInDays ? t - g.retentionInDays * DAY : -Infinity;
      let oldEnd = -1;
      let expiredEnd = -1;
      let newStart = list.length;
      for (let i = 0; i < list.length; i++) {
        const ts = list[i]!.timestamp;
        if (ts < tooOld) oldEnd = i;
        if (ts < expiredBefore) expiredEnd = i;
        if (ts > t + 2 * 3_600_000 && newStart === list.length) newStart = i;
      }
      const first = Math.max(oldEnd, expiredEnd) + 1;
      if (first < newStart && list[newStart - 1]!.timestamp - list[first]!.timestamp > DAY) {
        throw new ApiError('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
      }
      for (let i = first; i < newStart; i++) stream.push({ timestamp: list[i]!.timestamp, message: list[i]!.message });
      const info: Record<string, number> = {};
      if (oldEnd >= 0) info.tooOldLogEventEndIndex = oldEnd;
      if (expiredEnd >= 0) info.expiredLogEventEndIndex = expiredEnd;
      if (newStart < list.length) info.tooNewLogEventStartIndex = newStart;
      return { nextSequenceToken: String(Date.now()), ...(Object.keys(info).length ? { rejectedLogEventsInfo: info } : {}) };
    },
  };

  const fault = (op: string): (Fault & { seen: number; left: number }) | undefined => {
    for (const f of faults) {
      if ((f.op ?? 'PutLogEvents') !== op && f.op !== '*') continue;
      f.seen++;
      if (f.every ? f.seen % f.every === 0 : f.left > 0) {
        if (!f.every) f.left--;
        return f;
      }
    }
    return undefined;
  };

  const handle = (req: ReceivedRequest, res: ServerResponse): void => {
    const target = req.headers['x-amz-target'] ?? '';
    const op = target.startsWith('Logs_20140328.') ? target.slice('Logs_20140328.'.length) : '';
    let input: Record<string, unknown> = {};
    const record = (status: number, errorType?: string) => calls.push({ op, status, errorType, input, headers: req.headers });
    const fail = (e: ApiError, extra?: Record<string, string>) => {
      record(e.status, e.type);
      sendError(res, e, extra);
    };
    // authentication first, as the service does
    const akid = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
    const key = akid ? keyOf(akid) : undefined;
    if (!akid) return fail(new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token'));
    if (!key) return fail(new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.'));
    const v = verifySigV4(req, { secretAccessKey: key.secretAccessKey, accessKeyId: key.accessKeyId, region, service: 'logs', sessionToken: key.sessionToken });
    if (!v.ok) {
      signatureFailures.push(v.reason);
      return fail(new ApiError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.'));
    }
    if (expired.has(key.accessKeyId)) return fail(new ApiError('ExpiredTokenException', 'The security token included in the request is expired'));
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1') {
      return fail(new ApiError('SerializationException', `unexpected content type ${req.headers['content-type'] ?? '(none)'}`));
    }
    try {
      input = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return fail(new ApiError('SerializationException', 'Start of structure or map found where not expected.'));
    }
    const impl = ops[op];
    if (!impl) return fail(new ApiError('UnknownOperationException', `Unknown operation ${target}`));
    const f = fault(op);
    if (f) {
      const extra = f.retryAfter ? { 'retry-after': f.retryAfter } : undefined;
      if (f.kind === 'throttle') return fail(new ApiError('ThrottlingException', 'Rate exceeded'), extra);
      if (f.kind === 'unavailable') return fail(new ApiError('ServiceUnavailableException', 'The service cannot complete the request.', f.status ?? 503), extra);
      if (f.kind === 'expired-token') return fail(new ApiError('ExpiredTokenException', 'The security token included in the request is expired'), extra);
      if (f.kind === 'invalid') return fail(new ApiError('InvalidParameterException', 'injected: the service refused this batch'), extra);
      return fail(new ApiError('InternalFailure', 'injected failure', f.status ?? 500), extra);
    }
    try {
      const out = impl(input);
      record(200);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(out));
    } catch (err) {
      if (err instanceof ApiError) return fail(err);
      throw err;
    }
  };

  const server = await startRecordingServer(handle, o.tls);
  return {
    url: server.url,
    server,
    groups,
    calls,
    signatureFailures,
    events: (g, s) => groups.get(g)?.streams.get(s) ?? [],
    callsOf: (op) => calls.filter((c) => c.op === op),
    createGroup(name, retentionInDays) {
      groups.set(name, { name, logGroupClass: 'STANDARD', retentionInDays, streams: new Map() });
    },
    createStream(g, s) {
      groups.get(g)!.streams.set(s, []);
    },
    inject(f) {
      faults.push({ ...f, seen: 0, left: f.times ?? 1 });
    },
    expireKey(id) {
      expired.add(id);
    },
    close: () => server.close(),
  };
}
