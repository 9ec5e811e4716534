import type { Socket } from 'node:net';
import { gunzip } from 'node:zlib';
import type { LogEvent } from '../../src/engine/types.js';
import type { Logger } from '../../src/log.js';
import { AckWriter } from './acks.js';
import { decodeEntries, decodeFrame, type FrameInfo, newFrameInfo } from './decode.js';
import type { Handshake } from './handshake.js';
import { FrameScanner, MsgpackError } from './msgpack-scan.js';
import { ReadBuffer } from './read-buffer.js';

/** What a connection needs from its input. */
export interface ConnectionHost {
  readonly maxFrame: number;
  /** Bytes of frames gathered into one emit at most (small under a small mem_buf_limit). */
  readonly batchBytes: number;
  readonly log: Logger;
  count(counter: string, n?: number): void;
  /** The tag records of a frame get (the client's tag, prefixed or overridden). */
  tagFor(clientTag: string): string;
  /** Hand a batch to the pipeline; `onStored` once it is stored. False: stop reading. */
  emit(tag: string, events: LogEvent[], bytes: number, onStored: (() => void) | undefined): boolean;
  /** True while the input is paused: read nothing, acknowledge nothing. */
  isPaused(): boolean;
  closed(conn: Connection): void;
}

/** Events of consecutive frames with one tag are emitted together, up to this many (and host.batchBytes). */
const BATCH_EVENTS = 4096;
/** A decompressed chunk may not exceed this (a gzip bomb closes the connection). */
const MAX_INFLATED = 256 << 20;

/**
 * One client connection: frames are found as bytes arrive, decoded, grouped by tag and emitted;
 * `chunk` options are acknowledged once their records are stored. While the input is paused
 * nothing is read, decoded or acknowledged (the client's sends block, or it buffers).
 */
export class Connection {
  private readonly buf = new ReadBuffer();
  private readonly scanner: FrameScanner;
  private readonly info: FrameInfo = newFrameInfo();
  private readonly acks: AckWriter;
  /** Waiting on an asynchronous step (gunzip): frames after it wait too, in order. */
  private busy = false;
  private ended = false;
  private closed = false;
  private failed = false;
  /** Events, byte count and acks of the batch being gathered. */
  private events: LogEvent[] = [];
  private batchTag = '';
  private batchBytes = 0;
  private batchAcks: string[] = [];

  constructor(
    readonly socket: Socket,
    readonly peer: string,
    private readonly host: ConnectionHost,
    private handshake: Handshake | null,
  ) {
    this.scanner = new FrameScanner(host.maxFrame);
    this.acks = new AckWriter(socket, peer, host.log, () => host.isPaused(), (n) => host.count('acks', n));
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('end', () => {
      this.ended = true;
      this.drain();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.host.log.debug({ peer, err: err.message }, 'forward: connection error'));
    socket.on('close', () => this.onClose());
    if (handshake !== null) socket.write(handshake.helo());
  }

  private onData(d: Buffer): void {
    this.buf.append(d);
    if (this.buf.length >= this.scanner.minBytes) this.drain();
  }

  /** Process every complete frame held, unless paused or waiting. */
  drain(force = false): void {
    if (this.busy || this.failed) return;
    if (!force && this.host.isPaused()) {
      this.socket.pause();
      return;
    }
    const bytes = this.buf.bytes;
    const end = this.buf.length;
    let pos = 0;
    try {
      while (pos < end && !this.busy && (force || !this.host.isPaused())) {
        const next = this.scanner.scan(bytes, pos, end);
        if (next < 0) break;
        this.frame(bytes, pos, next);
        pos = next;
      }
    } catch (err) {
      this.malformed(err, pos);
      return;
    } finally {
      this.buf.consume(pos);
    }
    this.flushBatch();
    if (this.busy) return;
    if (this.host.isPaused() && !force) this.socket.pause();
    else if (!this.ended) this.socket.resume();
    if (this.ended || this.closed) this.finish();
  }

  private frame(bytes: Buffer, start: number, end: number): void {
    if (this.handshake !== null) return this.ping(bytes, start, end);
    const before = this.events.length;
    const info = this.info;
    decodeFrame(bytes, start, end, this.events, info);
    if (info.heartbeat) return;
    if (info.invalid > 0) this.invalidEntries(info.invalid);
    if (info.gzip === null) this.checkSize(info.option, this.events.length - before + info.invalid);
    const tag = this.host.tagFor(info.tag);
    if (tag !== this.batchTag && before > 0) {
      const mine = this.events.splice(before);
      this.flushBatch();
      this.events = mine;
    }
    this.batchTag = tag;
    const chunk = typeof info.option?.chunk === 'string' ? info.option.chunk : undefined;
    if (info.gzip !== null) {
      this.flushBatch();
      this.batchTag = tag;
      this.inflate(info.gzip, chunk);
      return;
    }
    this.batchBytes += end - start;
    if (chunk !== undefined) this.batchAcks.push(chunk);
    if (this.events.length >= BATCH_EVENTS || this.batchBytes >= this.host.batchBytes) this.flushBatch();
  }

  private inflate(gz: Uint8Array, chunk: string | undefined): void {
    this.busy = true;
    this.socket.pause();
    // a copy: the read buffer is compacted while zlib works on its own thread
    gunzip(Buffer.from(gz), { maxOutputLength: MAX_INFLATED }, (err, raw) => {
      this.busy = false;
      if (err) return this.malformed(new MsgpackError(`compressed entries do not inflate: ${err.message}`, 0), 0);
      try {
        decodeEntries(raw, Date.now(), this.events, this.info);
      } catch (e) {
        this.events.length = 0;
        return this.malformed(e, 0);
      }
      if (this.info.invalid > 0) this.invalidEntries(this.info.invalid);
      this.checkSize(this.info.option, this.events.length + this.info.invalid);
      this.batchBytes = raw.length;
      if (chunk !== undefined) this.batchAcks.push(chunk);
      this.flushBatch();
      this.drain();
    });
  }

  private flushBatch(): void {
    const events = this.events;
    const acks = this.batchAcks;
    if (events.length === 0) {
      // a frame with only invalid entries, or an empty one, is still acknowledged
      if (acks.length > 0) this.acks.ack(acks);
      this.batchAcks = [];
      return;
    }
    this.events = [];
    this.batchAcks = [];
    const bytes = this.batchBytes;
    this.batchBytes = 0;
    if (acks.length === 0) {
      this.host.emit(this.batchTag, events, bytes, undefined);
      return;
    }
    // Stored while emit runs (memory buffering): acknowledge after it returns, so that a batch
    // that took the input over mem_buf_limit has its ack held until the input resumes.
    let emitting = true;
    let storedInEmit = false;
    this.host.emit(this.batchTag, events, bytes, () => {
      if (emitting) storedInEmit = true;
      else this.acks.ack(acks);
    });
    emitting = false;
    if (storedInEmit) this.acks.ack(acks);
  }

  /** The input resumed: send the acks held back, read again. */
  resume(): void {
    this.acks.flushHeld();
    this.drain();
  }

  pause(): void {
    if (!this.ended) this.socket.pause();
  }

  private ping(bytes: Buffer, start: number, end: number): void {
    const r = this.handshake!.ping(bytes, start, end);
    this.socket.write(r.pong);
    if (r.ok) {
      this.handshake = null;
      this.host.log.debug({ peer: this.peer, client: r.client }, 'forward: client authenticated');
      return;
    }
    this.host.count('auth_failures');
    this.host.log.warn({ peer: this.peer, client: r.client }, `forward: handshake refused (${r.reason}); closing the connection`);
    this.failed = true;
    this.socket.end();
    throw new HandshakeRefused();
  }

  /** The `size` option announces the entry count: a different count is reported (the entries are kept). */
  private checkSize(option: Record<string, unknown> | undefined, entries: number): void {
    const size = option?.size;
    if (typeof size !== 'number' || size === entries) return;
    this.host.count('size_mismatches');
    this.host.log.warn({ peer: this.peer, size, entries }, 'forward: a chunk holds another number of entries than its size option says; all of them were taken');
  }

  private invalidEntries(n: number): void {
    this.host.count('invalid_entries', n);
    this.host.log.warn({ peer: this.peer, entries: n }, 'forward: entries that are not [time, map] were skipped');
  }

  private malformed(err: unknown, offset: number): void {
    if (err instanceof HandshakeRefused) return;
    this.failed = true;
    this.flushBatch(); // frames before the bad one are good: keep them
    const at = err instanceof MsgpackError ? err.offset : offset;
    this.host.count('malformed_frames');
    this.host.log.error({ peer: this.peer, offset: at, err: (err as Error).message },
      'forward: malformed frame; closing the connection (frames before it were accepted, this one and what follows were not acknowledged)');
    this.socket.destroy();
  }

  /** The client finished sending (or the connection dropped): report an incomplete frame, then close. */
  private finish(): void {
    if (this.busy || (!this.closed && this.host.isPaused())) return;
    if (this.buf.length > 0 && !this.failed) {
      this.host.count('truncated_frames');
      this.host.log.warn({ peer: this.peer, bytes: this.buf.length },
        'forward: connection ended in the middle of a frame; those bytes were not acknowledged and are discarded');
      this.buf.consume(this.buf.length);
    }
    if (!this.closed && this.acks.holding === 0) this.socket.end();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.failed) this.drain(true); // what arrived whole is kept; it cannot be acknowledged any more
    this.host.closed(this);
  }

  /** Wren is stopping: take in what is whole, acknowledge, and close. */
  stop(): void {
    if (!this.failed && !this.closed) this.drain(true);
    this.acks.flushHeld();
    this.socket.end();
  }
}

class HandshakeRefused extends Error {}
