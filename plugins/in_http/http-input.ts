import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { gunzip } from 'node:zlib';
import type { InputContext, InputInstance, LogEvent } from '../../src/engine/types.js';
import { boundPort, describeTarget, listenOn } from '../../src/net/listen.js';
import { parseBody } from './body.js';
import type { HttpInputConfig } from './config.js';

/** A gzip body may inflate to this many times buffer_max_size. */
const INFLATE_FACTOR = 16;
/** Retry-After (seconds) while the input is paused on mem_buf_limit. */
const RETRY_AFTER_S = 1;

/**
 * The http input: POST /<tag> with JSON (object, array, NDJSON; gzip or not). A request is
 * answered `successful_response_code` once its records are stored, 400 (with the reason) when
 * its body is not records, 413 when too large, and 503 with Retry-After while the input is
 * paused over mem_buf_limit: a client that retries loses nothing.
 */
export class HttpInput implements InputInstance {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private paused = false;

  constructor(private readonly ctx: InputContext, private readonly cfg: HttpInputConfig) {}

  get port(): number | undefined {
    return this.server ? boundPort(this.server) : undefined;
  }

  async start(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    const tls = this.cfg.tls;
    const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, passphrase: tls.passphrase }, handler) : createServer(handler);
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server = server;
    const target = { host: this.cfg.listen, port: this.cfg.port };
    await listenOn(server, target, `http input '${this.ctx.id}'`);
    server.on('error', (err) => this.ctx.log.error({ err: err.message }, 'http: server error'));
    this.ctx.log.info({ address: describeTarget({ ...target, port: this.port ?? target.port }), tls: tls !== undefined }, 'http: listening');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      return this.refuse(req, res, 405, `${req.method} is not accepted: POST records to /<tag>`, { allow: 'POST' });
    }
    if (this.paused || this.ctx.isPaused()) {
      this.ctx.metrics.add('refused_paused');
      res.writeHead(503, { 'retry-after': String(RETRY_AFTER_S), 'content-type': 'text/plain', connection: 'close' });
      res.end('busy: buffers are full (mem_buf_limit), retry later\n');
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.cfg.maxBody) return this.tooLarge(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > this.cfg.maxBody) {
        req.removeAllListeners('data');
        this.tooLarge(req, res);
        return;
      }
      chunks.push(d);
    });
    req.on('end', () => {
      if (size > this.cfg.maxBody) return;
      const body = Buffer.concat(chunks);
      const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
      if (enc === 'gzip') {
        gunzip(body, { maxOutputLength: this.cfg.maxBody * INFLATE_FACTOR }, (err, raw) => {
          if (err) return this.refuse(req, res, err.message.includes('maxOutputLength') ? 413 : 400, `the gzip body does not inflate: ${err.message}`);
          this.accept(req, res, raw, size);
        });
      } else if (enc === '' || enc === 'identity') {
        this.accept(req, res, body, size);
      } else {
        this.refuse(req, res, 415, `content-encoding '${enc}' is not supported: send gzip or plain bodies`);
      }
    });
  }

  private accept(req: IncomingMessage, res: ServerResponse, body: Buffer, wireBytes: number): void {
    const parsed = parseBody(body.toString('utf8'));
    if ('error' in parsed) return this.refuse(req, res, 400, parsed.error);
    const pathTag = tagFromPath(req.url ?? '/') || this.ctx.tag;
    const now = Date.now();
    const groups = new Map<string, LogEvent[]>();
    for (const record of parsed.records) {
      const own = this.cfg.tagKey === undefined ? undefined : record[this.cfg.tagKey];
      const tag = typeof own === 'string' && own !== '' ? own : pathTag;
      let g = groups.get(tag);
      if (!g) groups.set(tag, (g = []));
      g.push({ time: now, record });
    }
    let pending = groups.size;
    const stored = () => {
      if (--pending > 0) return;
      res.writeHead(this.cfg.okStatus, this.cfg.okStatus === 204 ? {} : { 'content-length': 0 });
      res.end();
    };
    const bytesEach = Math.ceil(body.length / Math.max(1, parsed.records.length));
    for (const [tag, events] of groups) {
      if (!this.ctx.emit(events, { tag, bytes: bytesEach * events.length, onStored: stored })) this.paused = true;
    }
    this.ctx.metrics.add('requests');
    this.ctx.metrics.add('request_bytes', wireBytes);
  }

  private tooLarge(req: IncomingMessage, res: ServerResponse): void {
    this.refuse(req, res, 413, `the body is larger than buffer_max_size (${this.cfg.maxBody} bytes)`, { connection: 'close' });
  }

  private refuse(req: IncomingMessage, res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
    this.ctx.metrics.add('refused_requests');
    this.ctx.log.warn({ status, path: req.url, peer: req.socket.remoteAddress, reason }, 'http: request refused');
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(`${reason}\n`);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const cut = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, 1000);
    await closed;
    clearTimeout(cut);
  }
}

/** `/app/web?x=1` → `app.web`; `/` → '' (the input's tag is used). */
function tagFromPath(url: string): string {
  const path = url.split('?', 1)[0]!;
  let p: string;
  try {
    p = decodeURIComponent(path);
  } catch {
    p = path;
  }
  return p.replace(/^\/+|\/+$/g, '').replace(/\/+/g, '.');
}
