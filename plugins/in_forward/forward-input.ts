import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { InputContext, InputInstance, LogEvent } from '../../src/engine/types.js';
import type { Logger } from '../../src/log.js';
import { boundPort, describeTarget, listenOn, type ListenTarget } from '../../src/net/listen.js';
import type { ForwardConfig } from './config.js';
import { Connection, type ConnectionHost } from './connection.js';
import { Handshake } from './handshake.js';

/** How long stop() lets clients read their last acks before connections are cut. */
const CLOSE_WAIT_MS = 1000;

/**
 * The forward input: a TCP (optionally TLS) or unix-socket server speaking Fluentd's Forward
 * protocol v1. Each connection is a `Connection`; this class owns the server, the tag rules, and
 * pausing every connection together when the pipeline says the input is over mem_buf_limit.
 */
export class ForwardInput implements InputInstance, ConnectionHost {
  private server: Server | null = null;
  private readonly conns = new Set<Connection>();
  /** Every open socket, TLS handshakes still under way included: stop() cuts what is left. */
  private readonly sockets = new Set<Socket>();
  private paused = false;
  private stopping = false;
  private lastClientTag = '';
  private lastTag = '';
  readonly maxFrame: number;
  readonly batchBytes: number;
  readonly log: Logger;

  constructor(private readonly ctx: InputContext, private readonly cfg: ForwardConfig) {
    this.maxFrame = cfg.maxFrame;
    // a batch well under mem_buf_limit, so the limit bounds what is taken (and acknowledged) ahead
    const limit = ctx.options.optNum('mem_buf_limit');
    this.batchBytes = Math.min(1 << 20, limit === undefined ? Infinity : Math.max(16 * 1024, Math.floor(limit / 4)));
    this.log = ctx.log;
  }

  /** Where this input listens (after start: the real port when `port 0` was asked). */
  get address(): string {
    const t = this.target();
    if ('port' in t && this.server) t.port = boundPort(this.server) ?? t.port;
    return describeTarget(t);
  }

  get port(): number | undefined {
    return this.server ? boundPort(this.server) : undefined;
  }

  private target(): ListenTarget {
    return this.cfg.unixPath !== undefined ? { path: this.cfg.unixPath, perm: this.cfg.unixPerm } : { host: this.cfg.listen, port: this.cfg.port };
  }

  async start(): Promise<void> {
    const onSocket = (s: Socket) => this.accept(s);
    const tls = this.cfg.tls;
    const server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key, passphrase: tls.passphrase, allowHalfOpen: true }, onSocket)
      : createServer({ allowHalfOpen: true }, onSocket);
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    server.on('tlsClientError', (err: Error, s: Socket) =>
      this.log.warn({ peer: peerOf(s), err: err.message }, 'forward: TLS handshake with a client failed'));
    this.server = server;
    await listenOn(server, this.target(), `forward input '${this.ctx.id}'`);
    server.on('error', (err) => this.log.error({ err: err.message }, 'forward: server error'));
    this.log.info({ address: this.address, tls: tls !== undefined, handshake: this.cfg.sharedKey !== undefined }, 'forward: listening');
  }

  private accept(socket: Socket): void {
    if (this.stopping) return void socket.destroy();
    socket.setNoDelay(true); // acks and PONGs are small answers a client waits for
    const hs = this.cfg.sharedKey === undefined ? null
      : new Handshake({ sharedKey: this.cfg.sharedKey, selfHostname: this.cfg.selfHostname, users: this.cfg.users });
    const conn = new Connection(socket, peerOf(socket), this, hs);
    this.conns.add(conn);
    this.ctx.metrics.add('connections');
    if (this.isPaused()) conn.pause();
  }

  // ConnectionHost

  count(counter: string, n = 1): void {
    this.ctx.metrics.add(counter, n);
  }

  tagFor(clientTag: string): string {
    if (this.cfg.tag !== undefined) return this.cfg.tag;
    if (clientTag !== this.lastClientTag) {
      this.lastClientTag = clientTag;
      this.lastTag = this.cfg.tagPrefix + clientTag;
    }
    return this.lastTag;
  }

  emit(tag: string, events: LogEvent[], bytes: number, onStored: (() => void) | undefined): boolean {
    const ok = this.ctx.emit(events, { tag, bytes, onStored });
    if (!ok) this.pause();
    return ok;
  }

  isPaused(): boolean {
    return (this.paused || this.ctx.isPaused()) && !this.stopping;
  }

  closed(conn: Connection): void {
    this.conns.delete(conn);
  }

  // InputInstance

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const c of this.conns) c.pause();
  }

  resume(): void {
    this.paused = false;
    for (const c of [...this.conns]) {
      if (this.isPaused()) return;
      c.resume();
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const server = this.server;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    for (const c of [...this.conns]) c.stop();
    const cut = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, CLOSE_WAIT_MS);
    await closed;
    clearTimeout(cut);
  }
}

function peerOf(s: Socket): string {
  return s.remoteAddress ? `${s.remoteAddress}:${s.remotePort}` : 'unix';
}
