import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { monotonicMs } from '../clock.js';
import { lazyRequire } from '../lazy-require.js';
import { requestHead } from './h1-request-head.js';
import { ResponseError, ResponseParser, type ResponseEvents } from './h1-response.js';
import type { TlsConnect } from './tls-connect.js';
import { DispatcherBase } from './undici.js';

const tlsModule = lazyRequire<typeof import('node:tls')>('node:tls');

export interface H1AgentOptions {
  tls: TlsConnect;
  connectTimeoutMs: number;
  /** Connections per origin; requests beyond wait for one to be free. Default: no limit. */
  connections?: number;
}

/** An idle connection is closed after this long, or the server's keep-alive hint less KEEPALIVE_MARGIN_MS (as undici). */
const KEEPALIVE_DEFAULT_MS = 4_000;
const KEEPALIVE_MAX_MS = 600_000;
const KEEPALIVE_MARGIN_MS = 2_000;

type Handler = Dispatcher.DispatchHandler;

/**
 * The dispatcher of direct destination traffic: HTTP/1.1 over kept-alive connections, one request
 * at a time on each, as many connections per origin as requests in flight (or `connections`).
 *
 * Why not undici's Agent: every output request goes through `send()` (a whole body in memory, the
 * answer read whole), and undici's per-request machinery (its Request object and header checks,
 * the Agent → Pool → Client hops, the WebAssembly parser's calls and first compile, its timers and
 * events) cost about 0.5 ms of CPU per call more than this client over a fresh process's first 600
 * calls of 140 KiB (0.76-0.81 ms against 0.26-0.30). A Firehose output makes about 14 times the
 * calls of an OpenSearch one for the same records. Proxied traffic (CONNECT tunnels,
 * absolute-form requests) and metadata traffic stay on undici.
 *
 * Implements the part of undici's dispatcher contract `send()` uses: `dispatch()` with a body that
 * is a Buffer, Uint8Array or string and a handler with onConnect / onHeaders / onData / onComplete
 * / onError; `close()`, `destroy()`; `stats` for the upstream connection gauges.
 */
export class H1Agent extends DispatcherBase {
  private readonly origins = new Map<string, OriginPool>();
  private closing: Promise<void> | undefined;
  private destroyed = false;

  constructor(private readonly o: H1AgentOptions) {
    super();
  }

  /** Connections open, and how many carry a request now (all origins). */
  get stats(): { total: number; busy: number } {
    let total = 0;
    let busy = 0;
    for (const p of this.origins.values()) {
      total += p.conns.size;
      busy += p.conns.size - p.idle.length;
    }
    return { total, busy };
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    let job: Job;
    try {
      if (this.closing !== undefined || this.destroyed) throw Object.assign(new Error('the connection pool is closed'), { code: 'UND_ERR_CLOSED' });
      const origin = String(opts.origin ?? '');
      let pool = this.origins.get(origin);
      if (pool === undefined) {
        pool = new OriginPool(new URL(origin), this.o);
        this.origins.set(origin, pool);
      }
      job = new Job(pool, opts, handler);
    } catch (err) {
      handler.onError?.(err as Error);
      return false;
    }
    job.pool.enqueue(job);
    return true;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.closing ??= Promise.all([...this.origins.values()].map((p) => p.close())).then(() => undefined);
    if (!callback) return this.closing;
    void this.closing.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const err = typeof a === 'function' || a == null ? Object.assign(new Error('the connection pool was destroyed'), { code: 'UND_ERR_DESTROYED' }) : a;
    const callback = typeof a === 'function' ? a : b;
    this.destroyed = true;
    for (const p of this.origins.values()) p.destroy(err);
    const done = Promise.resolve();
    if (!callback) return done;
    void done.then(callback);
  }
}

/** The connections to one origin, and the requests waiting for one. */
class OriginPool {
  readonly conns = new Set<Conn>();
  /** Free connections, the most recently used last (taken first: the least likely to be closed by the server). */
  readonly idle: Conn[] = [];
  private readonly queue: Job[] = [];
  readonly https: boolean;
  readonly host: string;
  readonly hostname: string;
  readonly port: number;
  private tlsSession: Buffer | undefined;
  private onDrained: (() => void) | undefined;

  constructor(url: URL, readonly o: H1AgentOptions) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol ${url.protocol} in ${url.origin}`);
    this.https = url.protocol === 'https:';
    this.host = url.host;
    this.hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = Number(url.port) || (this.https ? 443 : 80);
  }

  enqueue(job: Job): void {
    let c = this.idle.pop();
    // a socket Node destroyed on a read error is gone before its 'error' event reaches the Conn
    while (c !== undefined && c.socket.destroyed) {
      this.conns.delete(c);
      c = this.idle.pop();
    }
    if (c !== undefined) c.run(job);
    else if (this.o.connections === undefined || this.conns.size < this.o.connections) this.open().run(job);
    else this.queue.push(job);
  }

  /** A queued job aborted before it had a connection. */
  unqueue(job: Job): void {
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private open(): Conn {
    const c = new Conn(this, this.connect());
    this.conns.add(c);
    return c;
  }

  private connect(): Socket {
    if (!this.https) return netConnect({ host: this.hostname, port: this.port });
    const t = this.o.tls;
    const servername = t.servername ?? (isIP(this.hostname) ? undefined : this.hostname);
    const s = tlsModule().connect({
      host: this.hostname, port: this.port, servername, rejectUnauthorized: t.rejectUnauthorized,
      ...(t.secureContext ? { secureContext: t.secureContext } : t.ca ? { ca: t.ca } : {}),
      ALPNProtocols: ['http/1.1'], session: this.tlsSession,
    });
    s.on('session', (session: Buffer) => { this.tlsSession = session; });
    return s;
  }

  /** A connection finished a request and can take another. */
  free(c: Conn): void {
    const next = this.queue.shift();
    if (next !== undefined) {
      c.run(next);
      return;
    }
    this.idle.push(c);
    c.rest();
    this.drained();
  }

  /** A connection is gone (closed, failed, timed out idle). */
  gone(c: Conn): void {
    this.conns.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    const next = this.queue.shift();
    if (next !== undefined) this.open().run(next);
    this.drained();
  }

  private drained(): void {
    if (this.onDrained !== undefined && this.idle.length === this.conns.size && this.queue.length === 0) this.onDrained();
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.onDrained = () => {
        this.onDrained = undefined;
        for (const c of [...this.conns]) c.destroy(new Error('closed'));
        resolve();
      };
      this.drained();
    });
  }

  destroy(err: Error): void {
    for (const j of this.queue.splice(0)) j.fail(err);
    for (const c of [...this.conns]) c.destroy(err);
  }
}

/** One request: its head and body as written, and the handler hearing the answer. */
class Job implements ResponseEvents {
  conn: Conn | undefined;
  finished = false;
  readonly head: string;
  readonly body: Buffer | Uint8Array | string | undefined;
  readonly method: string;
  /** The request asked for the connection to be closed after it. */
  readonly close: boolean;

  constructor(readonly pool: OriginPool, opts: Dispatcher.DispatchOptions, private readonly handler: Handler) {
    const body = opts.body ?? undefined;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) throw new TypeError('this dispatcher sends bodies held in memory only (a Buffer or a string)');
    this.body = body;
    this.method = opts.method;
    const written = requestHead(opts, pool.host, body);
    this.head = written.head;
    this.close = written.close;
    handler.onConnect?.((err?: Error) => this.abort(err ?? new Error('aborted')));
  }

  /** The handler (or its deadline) gave up on this request. */
  private abort(err: Error): void {
    if (this.finished) return;
    if (this.conn === undefined) this.pool.unqueue(this);
    else this.conn.destroy(err);
    this.fail(err);
  }

  headers(status: number, raw: string[], statusText: string): void {
    // strings where undici's type says Buffers: its handlers (and send()'s) read them with
    // toString('latin1'), which a string answers with itself
    this.handler.onHeaders?.(status, raw as unknown as Buffer[], noop, statusText);
  }

  data(chunk: Buffer): void {
    this.handler.onData?.(chunk);
  }

  complete(): void {
    if (this.finished) return;
    this.finished = true;
    this.handler.onComplete?.(null);
  }

  fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.handler.onError?.(err);
  }
}

function noop(): void {}

/** One kept-alive connection, carrying one request at a time. */
class Conn {
  private job: Job | undefined;
  private parser: ResponseParser | undefined;
  private connected = false;
  private dead = false;
  /** The connect deadline. */
  private timer: NodeJS.Timeout | undefined;
  private keepAliveMs = KEEPALIVE_DEFAULT_MS;
  /**
   * The idle deadline, checked lazily: armed when the connection goes idle with no timer out, and
   * when it fires, the connection is closed if it has been idle for keepAliveMs, else the timer is
   * armed for the rest (a timer made and cleared around each request cost ~10 µs of a call's CPU).
   */
  private idleTimer: NodeJS.Timeout | undefined;
  /** monotonicMs() when the connection last went idle; undefined while it carries a request. */
  private idleSince: number | undefined;

  constructor(private readonly pool: OriginPool, readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const ms = pool.o.connectTimeoutMs;
    if (ms > 0) {
      // the connect deadline covers the TLS handshake too (as undici's)
      this.timer = setTimeout(() => this.destroy(Object.assign(
        new Error(`connect timed out after ${ms} ms (${pool.hostname}:${pool.port})`), { code: 'UND_ERR_CONNECT_TIMEOUT' })), ms);
    }
    socket.once(pool.https ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.clearTimer();
    });
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: Error) => this.destroy(err));
    socket.on('close', () => this.destroy(Object.assign(new Error('the server closed the connection'), { code: 'UND_ERR_SOCKET' })));
  }

  run(job: Job): void {
    this.idleSince = undefined;
    this.socket.ref();
    this.job = job;
    job.conn = this;
    this.parser = new ResponseParser(job.method, job);
    const s = this.socket;
    s.cork();
    s.write(job.head, 'latin1');
    if (job.body !== undefined && job.body.length > 0) {
      if (typeof job.body === 'string') s.write(job.body, 'utf8');
      else s.write(job.body);
    }
    s.uncork();
  }

  /** Idle: the process may exit, and the server's keep-alive is respected. */
  rest(): void {
    this.socket.unref();
    this.idleSince = monotonicMs();
    if (this.idleTimer === undefined) this.armIdle(this.keepAliveMs);
  }

  private armIdle(ms: number): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.dead || this.idleSince === undefined) return; // busy: rest() arms it again
      const left = this.idleSince + this.keepAliveMs - monotonicMs();
      if (left <= 0) this.destroy(new Error('idle'));
      else this.armIdle(left);
    }, Math.max(1, Math.ceil(ms)));
    this.idleTimer.unref();
  }

  private onData(d: Buffer): void {
    const job = this.job;
    const parser = this.parser;
    if (job === undefined || parser === undefined) {
      // bytes nobody asked for: the connection is out of step (it leaves the pool now)
      this.destroy(new Error('an answer nobody asked for'));
      return;
    }
    let extra: number;
    try {
      extra = parser.feed(d);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    if (parser.done) this.finish(job, parser, extra > 0);
  }

  private onEnd(): void {
    const job = this.job;
    const parser = this.parser;
    if (job !== undefined && parser !== undefined && parser.closed()) this.finish(job, parser, true);
    else this.destroy(Object.assign(new Error(job === undefined ? 'the server closed the connection' : 'the server closed the connection before the whole answer'), { code: 'UND_ERR_SOCKET' }));
  }

  private finish(job: Job, parser: ResponseParser, spent: boolean): void {
    this.job = undefined;
    this.parser = undefined;
    job.conn = undefined;
    const hint = parser.keepAliveHintMs;
    if (hint !== undefined) this.keepAliveMs = Math.min(hint, KEEPALIVE_MAX_MS) - KEEPALIVE_MARGIN_MS;
    // reused only when the whole request went out (a server may answer early, e.g. a 413, and stop reading)
    const reuse = !spent && this.socket.writableLength === 0 && this.connected && parser.keepAlive && !job.close && this.keepAliveMs > 0;
    if (reuse) this.pool.free(this);
    else {
      this.dead = true;
      this.dropIdleTimer();
      this.socket.destroy();
      this.pool.gone(this);
    }
    job.complete();
  }

  destroy(err: Error): void {
    this.clearTimer();
    this.dropIdleTimer();
    if (!this.dead) {
      this.dead = true;
      this.socket.destroy();
      this.pool.gone(this);
    }
    const job = this.job;
    this.job = undefined;
    if (job !== undefined) {
      job.conn = undefined;
      job.fail(err instanceof ResponseError ? Object.assign(new Error(`malformed answer from ${this.pool.host}: ${err.message}`), { code: err.code }) : err);
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private dropIdleTimer(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
