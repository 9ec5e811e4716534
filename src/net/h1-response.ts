/**
 * An HTTP/1.1 response read as its bytes arrive (RFC 9112): status line and headers, then a body
 * framed by Content-Length, chunked transfer coding, or the end of the connection. No object per
 * body piece: the body goes on as views into the bytes read.
 */

/** Where a parsed response goes. */
export interface ResponseEvents {
  /**
   * `rawHeaders`: names and values in turn, as latin1 strings (undici hands Buffers over; a
   * Buffer per header, made for every answer, was most of this parser's cost in a fresh process).
   */
  headers(status: number, rawHeaders: string[], statusText: string): void;
  data(chunk: Buffer): void;
}

/** A response that breaks the protocol: the connection cannot be used again. */
export class ResponseError extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';
}

/** Largest status line and header block accepted (Node's and undici's default). */
export const MAX_HEAD_BYTES = 16 * 1024;

const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');
const enum State { Head, Fixed, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose, Done }

export class ResponseParser {
  /** The connection may carry another request after this response. */
  keepAlive = true;
  /** The server's `Keep-Alive: timeout=N`, in ms. */
  keepAliveHintMs: number | undefined;
  private state = State.Head;
  /** Bytes of an unfinished head, chunk-size line or trailer block. */
  private pending: Buffer | undefined;
  private remaining = 0;

  constructor(private readonly method: string, private readonly on: ResponseEvents) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  /**
   * Read `buf`. Returns the number of bytes that were not part of this response (a server that
   * answered more than asked for): the connection is then not used again.
   */
  feed(buf: Buffer): number {
    let at = 0;
    while (at < buf.length && this.state !== State.Done) {
      switch (this.state) {
        case State.Head: at = this.head(buf, at); break;
        case State.Fixed: {
          const n = Math.min(this.remaining, buf.length - at);
          this.on.data(at === 0 && n === buf.length ? buf : buf.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = State.Done;
          break;
        }
        case State.ChunkSize: at = this.chunkSize(buf, at); break;
        case State.ChunkData: {
          const n = Math.min(this.remaining, buf.length - at);
          this.on.data(buf.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = State.ChunkEnd;
            this.remaining = 2;
          }
          break;
        }
        case State.ChunkEnd: {
          // the CRLF after a chunk's data, possibly split over two reads
          const c = buf[at]!;
          if (c !== (this.remaining === 2 ? 13 : 10)) throw new ResponseError('malformed chunked body: no CRLF after a chunk');
          at++;
          if (--this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.Trailers: at = this.trailers(buf, at); break;
        case State.UntilClose:
          this.on.data(at === 0 ? buf : buf.subarray(at));
          at = buf.length;
          break;
      }
    }
    return buf.length - at;
  }

  /** The server closed the connection: true when that ends the response (a body read until close). */
  closed(): boolean {
    if (this.state === State.UntilClose) this.state = State.Done;
    return this.state === State.Done;
  }

  /** Joins what is pending with `buf` from `at`, when a line or the head spans reads. */
  private joined(buf: Buffer, at: number): Buffer {
    const rest = at === 0 ? buf : buf.subarray(at);
    return this.pending === undefined ? rest : Buffer.concat([this.pending, rest]);
  }

  private head(buf: Buffer, at: number): number {
    const b = this.joined(buf, at);
    const carried = this.pending?.length ?? 0;
    const end = b.indexOf(CRLF2, Math.max(0, carried - 3));
    if (end < 0) {
      if (b.length > MAX_HEAD_BYTES) throw new ResponseError(`response headers over ${MAX_HEAD_BYTES} bytes`);
      this.pending = Buffer.from(b); // a copy: `buf` is the socket's and may be reused
      return buf.length;
    }
    if (end > MAX_HEAD_BYTES) throw new ResponseError(`response headers over ${MAX_HEAD_BYTES} bytes`);
    this.pending = undefined;
    this.parseHead(b.subarray(0, end));
    return at + (end + 4 - carried);
  }

  private parseHead(h: Buffer): void {
    const text = h.toString('latin1');
    const lineEnd = text.indexOf('\r\n');
    const statusLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
    const status = statusOf(statusLine);
    if (status === 0) throw new ResponseError(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const http10 = statusLine.charCodeAt(7) === 0x30;
    const raw: string[] = [];
    let length: number | undefined;
    let chunked = false;
    let close = http10;
    let pos = lineEnd < 0 ? text.length : lineEnd + 2;
    while (pos < text.length) {
      let e = text.indexOf('\r\n', pos);
      if (e < 0) e = text.length;
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon > e || colon === pos) throw new ResponseError(`malformed response header line: ${JSON.stringify(text.slice(pos, Math.min(e, pos + 80)))}`);
      const name = text.slice(pos, colon);
      const value = text.slice(colon + 1, e).trim();
      raw.push(name, value);
      switch (name.length) {
        case 10: // connection, keep-alive
          if (equalsLower(name, 'connection')) {
            const v = value.toLowerCase();
            if (v.includes('close')) close = true;
            else if (v.includes('keep-alive') && http10) close = false;
          } else if (equalsLower(name, 'keep-alive')) {
            const t = keepAliveTimeout(value);
            if (t !== undefined) this.keepAliveHintMs = t * 1000;
          }
          break;
        case 14:
          if (equalsLower(name, 'content-length')) {
            if (!allDigits(value) || (length !== undefined && length !== Number(value))) throw new ResponseError(`invalid content-length: ${JSON.stringify(value)}`);
            length = Number(value);
          }
          break;
        case 17:
          if (equalsLower(name, 'transfer-encoding')) chunked = lastCodingIsChunked(value);
          break;
      }
      pos = e + 2;
    }
    if (status < 200) {
      // an interim answer (100 Continue, 103 Early Hints): the final one follows
      if (status === 101) throw new ResponseError('the server switched protocols, which Wren never asks for');
      return;
    }
    this.keepAlive = !close;
    this.on.headers(status, raw, statusLine.length > 13 ? statusLine.slice(13) : '');
    if (this.method === 'HEAD' || status === 204 || status === 304) this.state = State.Done;
    else if (chunked) this.state = State.ChunkSize;
    else if (length !== undefined) {
      this.remaining = length;
      this.state = length === 0 ? State.Done : State.Fixed;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
  }

  private chunkSize(buf: Buffer, at: number): number {
    const e = buf.indexOf(10, at);
    if (e < 0) {
      this.pending = this.joined(buf, at);
      if (this.pending.length > 1024) throw new ResponseError('malformed chunked body: chunk-size line too long');
      this.pending = Buffer.from(this.pending);
      return buf.length;
    }
    const line = (this.pending === undefined ? buf.toString('latin1', at, e) : this.joined(buf.subarray(0, e), at).toString('latin1'));
    this.pending = undefined;
    const size = chunkSizeOf(line);
    if (size < 0) throw new ResponseError(`malformed chunked body: chunk size ${JSON.stringify(line.slice(0, 40))}`);
    this.remaining = size;
    this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
    return e + 1;
  }

  /** After the last chunk: trailer lines (ignored) up to an empty line. */
  private trailers(buf: Buffer, at: number): number {
    for (;;) {
      const e = buf.indexOf(10, at);
      if (e < 0) {
        this.pending = Buffer.from(this.joined(buf, at));
        if (this.pending.length > MAX_HEAD_BYTES) throw new ResponseError(`response trailers over ${MAX_HEAD_BYTES} bytes`);
        return buf.length;
      }
      const lineLength = (this.pending?.length ?? 0) + e - at;
      this.pending = undefined;
      at = e + 1;
      if (lineLength === 1) { // "\r": the empty line that ends the message
        this.state = State.Done;
        return at;
      }
    }
  }
}

/**
 * The status of `HTTP/1.x NNN[ reason]` (x 0 or 1, NNN 100-999), else 0. By hand: this regular
 * expression was most of the head's cost in a fresh process.
 */
export function statusOf(line: string): number {
  if (line.length < 12 || !line.startsWith('HTTP/1.') || line.charCodeAt(8) !== 0x20 || (line.length > 12 && line.charCodeAt(12) !== 0x20)) return 0;
  const v = line.charCodeAt(7);
  if (v !== 0x30 && v !== 0x31) return 0;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const d = line.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9 || (i === 9 && d === 0)) return 0;
    status = status * 10 + d;
  }
  return status;
}

// The value checks below are by hand, not regular expressions: in a fresh process (the ~600
// answers of a tail -> Firehose run) a regular expression run per answer was most of its cost.

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `\d+` */
export function allDigits(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) if (!isDigit(v.charCodeAt(i))) return false;
  return true;
}

/** A Keep-Alive value's `timeout=N` (any case, at the start or after a blank or a comma), in seconds. */
export function keepAliveTimeout(value: string): number | undefined {
  const v = value.toLowerCase();
  for (let i = v.indexOf('timeout='); i >= 0; i = v.indexOf('timeout=', i + 1)) {
    const before = i === 0 ? 0x2c : v.charCodeAt(i - 1);
    if (before !== 0x2c && before !== 0x20 && before !== 0x09) continue;
    let j = i + 8;
    let n = 0;
    for (; j < v.length && isDigit(v.charCodeAt(j)); j++) n = n * 10 + v.charCodeAt(j) - 0x30;
    if (j > i + 8) return n;
  }
  return undefined;
}

/** Transfer-Encoding's last coding is `chunked` (any case). */
export function lastCodingIsChunked(value: string): boolean {
  const v = value.trimEnd().toLowerCase();
  if (!v.endsWith('chunked')) return false;
  const before = v.slice(0, v.length - 7).trimEnd();
  return before.length === 0 || before.endsWith(',');
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** A chunk-size line (`HEX[ \t]*[;ext]\r`, at most 12 hex digits): the size, else -1. */
export function chunkSizeOf(line: string): number {
  const end = line.length - 1;
  if (end < 1 || line.charCodeAt(end) !== 0x0d) return -1;
  let i = 0;
  let size = 0;
  for (; i < end; i++) {
    const h = hexDigit(line.charCodeAt(i));
    if (h < 0) break;
    if (i === 12) return -1;
    size = size * 16 + h;
  }
  if (i === 0) return -1;
  while (i < end && (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09)) i++;
  if (i < end && (line.charCodeAt(i) !== 0x3b || line.indexOf('\r', i) !== end)) return -1;
  return size;
}

/** `name` (any case) equals `lower` (lower case, same length already checked). */
function equalsLower(name: string, lower: string): boolean {
  return name === lower || name.toLowerCase() === lower;
}
