import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Sha256 as JsSha256 } from '@aws-crypto/sha256-js';
import type { Checksum, SourceData } from '@smithy/types';

function toBytes(data: SourceData): Uint8Array | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * SHA-256 / HMAC-SHA256 on node:crypto (OpenSSL) in smithy's Checksum shape. bench/sign.bench.mjs
 * measures it against @aws-crypto/sha256-js on 5 MiB bodies; node:crypto is the faster, so the
 * signer uses it for payloads and keys alike.
 */
export class NodeSha256 implements Checksum {
  private h: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.h = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.secret));
  }

  update(data: Uint8Array | string): void {
    this.h.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return this.digestSync();
  }

  digestSync(): Uint8Array {
    const out = this.h.digest();
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  reset(): void {
    this.h = this.fresh();
  }
}

/** The pure-JS implementation, for the benchmark's comparison. */
export { JsSha256 };

/** Hex SHA-256 of a body as sent (string bodies as UTF-8). */
export function sha256Hex(body: Uint8Array | string | undefined): string {
  return createHash('sha256').update(body ?? '').digest('hex');
}
