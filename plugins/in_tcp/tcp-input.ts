import { createServer, type Server, type Socket } from 'node:net';
import type { InputContext, InputInstance, LogEvent } from '../../src/engine/types.js';
import { boundPort, describeTarget, listenOn } from '../../src/net/listen.js';
import type { TcpConfig } from './config.js';
import { JsonSplitter, SeparatorSplitter, type Splitter, type SplitterSink } from './splitters.js';

const CLOSE_WAIT_MS = 1000;

/**
 * The tcp input: each connection's bytes are split into messages (JSON values, or text up to a
 * separator); each read's messages are emitted as one batch. Over mem_buf_limit, every socket
 * stops being read until the input resumes.
 */
export class TcpInput implements InputInstance {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private paused = false;
  private stopping = false;

  constructor(private readonly ctx: InputContext, private readonly cfg: TcpConfig) {}

  get port(): number | undefined {
    return this.server ? boundPort(this.server) : undefined;
  }

  async start(): Promise<void> {
    const server = createServer({ allowHalfOpen: false }, (s) => this.accept(s));
    this.server = server;
    const target = { host: this.cfg.listen, port: this.cfg.port };
    await listenOn(server, target, `tcp input '${this.ctx.id}'`);
    server.on('error', (err) => this.ctx.log.error({ err: err.message }, 'tcp: server error'));
    this.ctx.log.info({ address: describeTarget({ ...target, port: this.port ?? target.port }), format: this.cfg.format }, 'tcp: listening');
  }

  private accept(socket: Socket): void {
    if (this.stopping) return void socket.destroy();
    this.sockets.add(socket);
    this.ctx.metrics.add('connections');
    const source = `tcp://${socket.remoteAddress}:${socket.remotePort}`;
    let events: LogEvent[] = [];
    let now = 0;
    const key = this.cfg.sourceKey;
    const sink: SplitterSink = {
      message: (text) => {
        const rec = this.cfg.format === 'json' ? this.parse(text, source) : { log: text };
        if (rec === null) return;
        if (Array.isArray(rec)) {
          for (const r of rec) events.push({ time: now, record: key === undefined ? r : { ...r, [key]: source } });
        } else {
          if (key !== undefined) rec[key] = source;
          events.push({ time: now, record: rec });
        }
      },
      skipped: (reason, bytes) => {
        this.ctx.metrics.add('skipped_messages');
        this.ctx.log.warn({ peer: source, bytes }, `tcp: skipped ${reason}`);
      },
    };
    const splitter: Splitter = this.cfg.format === 'json'
      ? new JsonSplitter(this.cfg.maxMessage, sink)
      : new SeparatorSplitter(this.cfg.separator, this.cfg.maxMessage, sink);
    const flush = (bytes: number) => {
      if (events.length === 0) return;
      const batch = events;
      events = [];
      if (!this.ctx.emit(batch, { bytes })) this.pause();
    };
    socket.on('data', (d: Buffer) => {
      now = Date.now();
      splitter.push(d);
      flush(d.length);
    });
    socket.on('end', () => {
      now = Date.now();
      splitter.end();
      flush(0);
    });
    socket.on('error', (err) => this.ctx.log.debug({ peer: source, err: err.message }, 'tcp: connection error'));
    socket.on('close', () => this.sockets.delete(socket));
    if (this.paused || this.ctx.isPaused()) socket.pause();
  }

  /** A JSON message → a record, or the objects of an array; anything else is skipped and logged. */
  private parse(text: string, peer: string): Record<string, unknown> | Array<Record<string, unknown>> | null {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      this.ctx.metrics.add('skipped_messages');
      this.ctx.log.warn({ peer, bytes: text.length, err: (err as Error).message }, 'tcp: skipped a message that is not valid JSON');
      return null;
    }
    if (isRecord(v)) return v;
    if (Array.isArray(v) && v.every(isRecord)) return v;
    this.ctx.metrics.add('skipped_messages');
    this.ctx.log.warn({ peer }, 'tcp: skipped a JSON message that is neither an object nor an array of objects');
    return null;
  }

  pause(): void {
    this.paused = true;
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    this.paused = false;
    for (const s of this.sockets) s.resume();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const server = this.server;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    for (const s of this.sockets) {
      s.resume(); // what the client already sent is still taken in
      s.end();
    }
    const cut = setTimeout(() => {
      for (const s of this.sockets) s.destroy();
    }, CLOSE_WAIT_MS);
    await closed;
    clearTimeout(cut);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
