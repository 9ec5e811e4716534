import { createHash } from 'node:crypto';

/**
 * KPL aggregated records (the Kinesis Producer Library's format, which the KCL de-aggregates and
 * Firehose reads natively): the 4 magic bytes F3 89 9A C2, then an `AggregatedRecord` protobuf
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1;
 *                              repeated string explicit_hash_key_table = 2;
 *                              repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *                    required bytes data = 3; repeated Tag tags = 4; }
 *
 * then the MD5 of the protobuf bytes (16 bytes). The Kinesis record carries the first partition
 * key of the table (as the aws-for-fluent-bit Go plugin does). Written by hand: three fields of
 * two messages do not need a protobuf library.
 */
export const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
/** Records this large or larger go alone, not aggregated (the Go plugin's 20 KiB). */
export const KPL_MAX_AGGREGATED_RECORD = 20 * 1024;

export function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/** Bytes a length-delimited field of `len` bytes takes (1-byte tag: field numbers < 16). */
export function fieldLength(len: number): number {
  return 1 + varintLength(len) + len;
}

/** Builds one aggregated record; `size()` is its exact encoded size so far (magic and MD5 included). */
export class KplAggregate {
  private readonly keys = new Map<string, number>();
  private readonly keyList: string[] = [];
  private readonly records: Array<{ key: number; src: Buffer; start: number; end: number }> = [];
  private protoBytes = 0;

  get count(): number {
    return this.records.length;
  }

  /** The encoded size if a record of `dataLen` bytes with partition key `key` were added. */
  sizeWith(key: string, dataLen: number): number {
    let extra = 0;
    let idx = this.keys.get(key);
    if (idx === undefined) {
      idx = this.keyList.length;
      extra += fieldLength(Buffer.byteLength(key));
    }
    extra += fieldLength(recordLength(idx, dataLen));
    return KPL_MAGIC.length + 16 + this.protoBytes + extra;
  }

  add(key: string, src: Buffer, start: number, end: number): void {
    let idx = this.keys.get(key);
    if (idx === undefined) {
      idx = this.keyList.length;
      this.keys.set(key, idx);
      this.keyList.push(key);
      this.protoBytes += fieldLength(Buffer.byteLength(key));
    }
    this.records.push({ key: idx, src, start, end });
    this.protoBytes += fieldLength(recordLength(idx, end - start));
  }

  /** The first partition key (the Kinesis record's). */
  get partitionKey(): string {
    return this.keyList[0]!;
  }

  /** Magic, protobuf, MD5. */
  encode(): Buffer {
    const out = Buffer.allocUnsafe(KPL_MAGIC.length + this.protoBytes + 16);
    KPL_MAGIC.copy(out, 0);
    let at = KPL_MAGIC.length;
    for (const k of this.keyList) {
      const len = Buffer.byteLength(k);
      out[at++] = (1 << 3) | 2;
      at = writeVarint(out, at, len);
      at += out.write(k, at, 'utf8');
    }
    for (const r of this.records) {
      const dataLen = r.end - r.start;
      out[at++] = (3 << 3) | 2;
      at = writeVarint(out, at, recordLength(r.key, dataLen));
      out[at++] = (1 << 3) | 0; // partition_key_index, varint
      at = writeVarint(out, at, r.key);
      out[at++] = (3 << 3) | 2; // data, bytes
      at = writeVarint(out, at, dataLen);
      at += r.src.copy(out, at, r.start, r.end);
    }
    const proto = out.subarray(KPL_MAGIC.length, at);
    createHash('md5').update(proto).digest().copy(out, at);
    return out;
  }
}

/** Bytes of one `Record` message (without its own tag and length). */
function recordLength(keyIndex: number, dataLen: number): number {
  return 1 + varintLength(keyIndex) + fieldLength(dataLen);
}
