/**
 * The journal export format (`journalctl --output=export`, systemd's documented
 * JOURNAL_EXPORT_FORMATS): an entry is a run of fields ended by an empty line; a field is
 * `NAME=value\n`, or, when the value is binary or has a newline, `NAME\n` + its length as a
 * little-endian 64-bit integer + the bytes + `\n`. Fields come in the order the journal stores them.
 *
 * The parser takes the byte stream in any pieces and calls back per field and per entry, reading
 * names and values as positions in the buffer (no copy of the stream but a torn last field).
 */
export interface ExportSink {
  /** One field: name buf[nameStart, nameEnd), value buf[valueStart, valueEnd). */
  field(buf: Buffer, nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void;
  /** The empty line after an entry's fields. */
  entryEnd(): void;
}

const NL = 0x0a;
const EQ = 0x3d;
/** A binary field longer than this is malformed (the journal caps fields far below). */
const MAX_FIELD = 768 * 1024 * 1024;

export class ExportParser {
  private carry: Buffer | null = null;
  private fields = 0;

  constructor(private readonly sink: ExportSink) {}

  /** Feed the next bytes. Throws on a malformed stream (a binary field of an impossible size). */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.carry !== null) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      const nl = buf.indexOf(NL, pos);
      if (nl < 0) break;
      if (nl === pos) {
        if (this.fields > 0) this.sink.entryEnd();
        this.fields = 0;
        pos = nl + 1;
        continue;
      }
      const eq = buf.indexOf(EQ, pos);
      if (eq >= 0 && eq < nl) {
        this.sink.field(buf, pos, eq, eq + 1, nl);
        this.fields++;
        pos = nl + 1;
        continue;
      }
      // binary: NAME\n <u64 le size> <data> \n
      const dataStart = nl + 9;
      if (dataStart > len) break;
      const size = Number(buf.readBigUInt64LE(nl + 1));
      if (size > MAX_FIELD) throw new Error(`journal export stream: field ${buf.toString('latin1', pos, Math.min(nl, pos + 64))} claims ${size} bytes`);
      const end = dataStart + size;
      if (end + 1 > len) break;
      if (buf[end] !== NL) throw new Error(`journal export stream: field ${buf.toString('latin1', pos, Math.min(nl, pos + 64))} does not end where its size says`);
      this.sink.field(buf, pos, nl, dataStart, end);
      this.fields++;
      pos = end + 1;
    }
    if (pos < len) this.carry = Buffer.from(buf.subarray(pos));
  }

  /** Bytes of an incomplete field or entry kept for the next push. */
  get pending(): number {
    return this.carry?.length ?? 0;
  }
}

/** Write one entry in the export format (tests and fixtures): fields with a newline or control bytes go binary. */
export function exportEntry(fields: ReadonlyArray<readonly [string, string | Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    const v = typeof value === 'string' ? Buffer.from(value) : value;
    // eslint-disable-next-line no-control-regex
    if (typeof value === 'string' && !/[\x00-\x1f\x7f]/.test(value)) {
      parts.push(Buffer.from(`${name}=`), v, Buffer.from('\n'));
    } else {
      const size = Buffer.alloc(8);
      size.writeBigUInt64LE(BigInt(v.length));
      parts.push(Buffer.from(`${name}\n`), size, v, Buffer.from('\n'));
    }
  }
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}
