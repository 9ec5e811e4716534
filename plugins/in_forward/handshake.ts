import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Packr } from 'msgpackr/pack';
import { decodeValue } from './decode.js';
import { arrayHeader, rawBytes, skipValue } from './msgpack-scan.js';

/**
 * The secure-forward handshake of Forward protocol v1, server side: HELO on connect, the
 * client's PING checked against the shared key (and a user's password when security.users is
 * set), PONG with this server's own digest. Only then are events read from the connection.
 */

const packr = new Packr({ useRecords: false, variableMapSize: true });

export interface HandshakeConfig {
  sharedKey: string;
  selfHostname: string;
  users: ReadonlyMap<string, string>;
}

/** One connection's handshake state: the nonce and user salt it was sent. */
export class Handshake {
  private readonly nonce = randomBytes(16);
  private readonly authSalt: Buffer;

  constructor(private readonly cfg: HandshakeConfig) {
    this.authSalt = cfg.users.size > 0 ? randomBytes(16) : Buffer.alloc(0);
  }

  /** ['HELO', {nonce, auth, keepalive}]: the first message a client gets. */
  helo(): Buffer {
    return packr.pack(['HELO', { nonce: this.nonce, auth: this.authSalt, keepalive: true }]);
  }

  /**
   * Check a PING. Returns the PONG to send and whether the client may go on (a refused client
   * gets its PONG with the reason, then the connection is closed).
   */
  ping(buf: Uint8Array, start: number, end: number): { pong: Buffer; ok: boolean; reason: string; client: string } {
    const el = elements(buf, start, end);
    if (el === null || el.length < 6 || decodeValue(buf, el[0]![0], el[0]![1]) !== 'PING') {
      return this.refuse('', 'expected a PING message after HELO', Buffer.alloc(0));
    }
    const [hostname, , digest, username, password] = el.slice(1).map(([a, b]) => decodeValue(buf, a, b));
    const client = typeof hostname === 'string' ? hostname : '';
    // the salt is hashed as sent (str or bin), never through a text decoding
    const salt = rawBytes(buf, el[2]![0], el[2]![1]);
    const saltBytes = salt === null ? null : Buffer.from(buf.buffer, buf.byteOffset + salt[0], salt[1] - salt[0]);
    if (saltBytes === null || typeof digest !== 'string') return this.refuse(client, 'malformed PING', Buffer.alloc(0));
    if (!sameHex(digest, this.keyDigest(saltBytes, client))) {
      return this.refuse(client, 'shared key mismatch', saltBytes);
    }
    if (this.cfg.users.size > 0) {
      const user = typeof username === 'string' ? username : '';
      const known = this.cfg.users.get(user);
      const expected = known === undefined ? '' : sha512Hex(this.authSalt, user, known);
      if (known === undefined || typeof password !== 'string' || !sameHex(password, expected)) {
        return this.refuse(client, 'username/password mismatch', saltBytes);
      }
    }
    const pong = packr.pack(['PONG', true, '', this.cfg.selfHostname, this.keyDigest(saltBytes, this.cfg.selfHostname)]);
    return { pong, ok: true, reason: '', client };
  }

  private refuse(client: string, reason: string, salt: Buffer): { pong: Buffer; ok: false; reason: string; client: string } {
    const pong = packr.pack(['PONG', false, reason, this.cfg.selfHostname, this.keyDigest(salt, this.cfg.selfHostname)]);
    return { pong, ok: false, reason, client };
  }

  /** sha512_hex(shared_key_salt + hostname + nonce + shared_key). */
  private keyDigest(salt: Buffer, hostname: string): string {
    return sha512Hex(salt, hostname, this.nonce, this.cfg.sharedKey);
  }
}

function sha512Hex(...parts: Array<Buffer | string>): string {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** [from, to) of each element of the array frame at `start`, or null if it is not an array. */
function elements(buf: Uint8Array, start: number, end: number): Array<[number, number]> | null {
  const arr = arrayHeader(buf, start, end);
  if (arr === null) return null;
  const out: Array<[number, number]> = [];
  let p = arr.first;
  for (let i = 0; i < arr.count; i++) {
    const q = skipValue(buf, p, end);
    out.push([p, q]);
    p = q;
  }
  return out;
}

/** Compare two hex digests in constant time (case-insensitively, as hex). */
function sameHex(got: string, want: string): boolean {
  const a = Buffer.from(got.toLowerCase());
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}
