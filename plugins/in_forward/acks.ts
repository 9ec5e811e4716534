import type { Socket } from 'node:net';
import type { Logger } from '../../src/log.js';

/**
 * A connection's `{"ack": chunk}` answers: sent once the chunk's records are stored, held back
 * while the input is paused (a client waiting for acks then stops sending), sent on resume.
 */
export class AckWriter {
  private held: string[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly peer: string,
    private readonly log: Logger,
    private readonly paused: () => boolean,
    private readonly count: (n: number) => void,
  ) {}

  get holding(): number {
    return this.held.length;
  }

  /** These chunks' records are stored: acknowledge now, or on `flushHeld` while paused. */
  ack(chunks: string[]): void {
    if (this.paused()) {
      for (const c of chunks) this.held.push(c);
      return;
    }
    this.write(chunks);
  }

  /** Send what was held back (the input resumed, or Wren is stopping with the records stored). */
  flushHeld(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    this.write(held);
  }

  private write(chunks: string[]): void {
    if (this.socket.destroyed || !this.socket.writable) {
      this.log.debug({ peer: this.peer, acks: chunks.length }, 'forward: connection gone before its acks could be sent; the client will resend');
      return;
    }
    this.socket.write(chunks.length === 1 ? ackMessage(chunks[0]!) : Buffer.concat(chunks.map(ackMessage)));
    this.count(chunks.length);
  }
}

/** {"ack": chunk} as msgpack: fixmap 1, "ack", the chunk id as a str. */
export function ackMessage(chunk: string): Buffer {
  const id = Buffer.from(chunk, 'utf8');
  const n = id.length;
  const head = n < 32 ? [0xa0 | n] : n < 256 ? [0xd9, n] : [0xda, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([0x81, 0xa3, 0x61, 0x63, 0x6b, ...head]), id]);
}
