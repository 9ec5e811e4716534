import type { ParseResult, Parser } from './types.js';

/**
 * The CRI log format (containerd, CRI-O): `<RFC3339Nano time> <stdout|stderr> <P|F> <log>`.
 * `P` marks a partial line (the runtime split a long line, 16 KiB by default), `F` the last part.
 *
 * Two entry points: `parseCriBuffer` for the tail hot path (works on the read buffer, fills a
 * reused object, allocates nothing), and `criParser` / `parseCri` for text (the `cri` parser of
 * Fluent Bit's parsers.conf: `time`, `stream`, `logtag`, `message`; time taken from `time`).
 */

/** One CRI line as byte positions in a buffer; filled in place by `parseCriBuffer`. */
export interface CriFields {
  /** Epoch ms of the line's timestamp (fractions keep µs); NaN when the text is no RFC 3339 time. */
  time: number;
  /** The timestamp text spans [timeStart, timeEnd). */
  timeStart: number;
  timeEnd: number;
  stream: 'stdout' | 'stderr';
  /** `P`: more parts follow. */
  partial: boolean;
  /** The log text spans [logStart, end of line). */
  logStart: number;
}

export function newCriFields(): CriFields {
  return { time: NaN, timeStart: 0, timeEnd: 0, stream: 'stdout', partial: false, logStart: 0 };
}

const SP = 0x20;

/**
 * Parse the CRI prefix of the line buf[start, end) (no trailing newline) into `out`.
 * False when the line is not CRI (then `out` is unspecified).
 */
export function parseCriBuffer(buf: Buffer, start: number, end: number, out: CriFields): boolean {
  // The time field ends at the first space; RFC 3339 times are 20..35 bytes.
  const limit = Math.min(end, start + 40);
  let sp = start;
  while (sp < limit && buf[sp] !== SP) sp++;
  if (sp === start || sp >= limit || end - sp < 9) return false;
  // stream: "stdout" | "stderr", then a space, the P|F flag, then a space (or end of line)
  if (buf[sp + 1] !== 0x73 || buf[sp + 2] !== 0x74 || buf[sp + 3] !== 0x64 || buf[sp + 7] !== SP) return false;
  let stream: 'stdout' | 'stderr';
  if (buf[sp + 4] === 0x6f && buf[sp + 5] === 0x75 && buf[sp + 6] === 0x74) stream = 'stdout';
  else if (buf[sp + 4] === 0x65 && buf[sp + 5] === 0x72 && buf[sp + 6] === 0x72) stream = 'stderr';
  else return false;
  const flag = buf[sp + 8];
  if (flag !== 0x46 && flag !== 0x50) return false; // F | P
  const after = sp + 9;
  if (after < end && buf[after] !== SP) return false;
  out.time = rfc3339BufferToMs(buf, start, sp);
  out.timeStart = start;
  out.timeEnd = sp;
  out.stream = stream;
  out.partial = flag === 0x50;
  out.logStart = after < end ? after + 1 : end;
  return true;
}

// Cache of the last date seen: lines of one file share their date, so the calendar arithmetic
// runs once a day per file rather than once a line.
let cachedDateKey = -1;
let cachedDayMs = 0;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Two ASCII digits at i as a number, or -1. */
function d2(b: Buffer, i: number): number {
  const a = b[i]! - 48;
  const c = b[i + 1]! - 48;
  return a >= 0 && a <= 9 && c >= 0 && c <= 9 ? a * 10 + c : -1;
}

/**
 * RFC 3339 time in buf[start, end) → epoch ms (fractions keep up to 9 digits, so µs survive the
 * double): `2024-05-01T12:34:56.123456789Z`, `…+02:00`, `…+0200`; no zone means UTC (Docker's
 * format). NaN when the text is not such a time.
 */
export function rfc3339BufferToMs(b: Buffer, start: number, end: number): number {
  if (end - start < 19) return NaN;
  const yh = d2(b, start);
  const yl = d2(b, start + 2);
  const mo = d2(b, start + 5);
  const da = d2(b, start + 8);
  const hh = d2(b, start + 11);
  const mi = d2(b, start + 14);
  const ss = d2(b, start + 17);
  if (yh < 0 || yl < 0 || mo < 1 || mo > 12 || da < 1 || da > 31 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60) return NaN;
  const t = b[start + 10];
  if (b[start + 4] !== 0x2d || b[start + 7] !== 0x2d || (t !== 0x54 && t !== 0x74 && t !== SP)) return NaN;
  if (b[start + 13] !== 0x3a || b[start + 16] !== 0x3a) return NaN;
  const y = yh * 100 + yl;
  const key = y * 10000 + mo * 100 + da;
  if (key !== cachedDateKey) {
    cachedDayMs = daysFromCivil(y, mo, da) * 86_400_000;
    cachedDateKey = key;
  }
  let ms = cachedDayMs + hh * 3_600_000 + mi * 60_000 + ss * 1000;
  let i = start + 19;
  if (i < end && b[i] === 0x2e) {
    i++;
    let frac = 0;
    let digits = 0;
    while (i < end) {
      const c = b[i]! - 48;
      if (c < 0 || c > 9) break;
      if (digits < 9) {
        frac = frac * 10 + c;
        digits++;
      }
      i++;
    }
    if (digits === 0) return NaN;
    ms += frac / POW10[digits]! * 1000;
  }
  if (i === end) return ms;
  const z = b[i];
  if (z === 0x5a || z === 0x7a) return i + 1 === end ? ms : NaN; // Z
  if (z !== 0x2b && z !== 0x2d) return NaN; // + -
  const oh = d2(b, i + 1);
  let om: number;
  if (end - i === 6 && b[i + 3] === 0x3a) om = d2(b, i + 4);
  else if (end - i === 5) om = d2(b, i + 3);
  else return NaN;
  if (oh < 0 || om < 0) return NaN;
  const offset = (oh * 60 + om) * 60_000;
  return z === 0x2b ? ms - offset : ms + offset;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

// Text entry points reuse one scratch buffer: time texts are short, and this keeps one parser.
const scratch = Buffer.allocUnsafe(64);

/** `rfc3339BufferToMs` for a string. */
export function rfc3339ToMs(text: string): number {
  if (text.length > scratch.length || text.length < 19) return NaN;
  const n = scratch.write(text, 0, 'latin1');
  return rfc3339BufferToMs(scratch, 0, n);
}

/**
 * Parse one CRI line (text) as Fluent Bit's parsers.conf `cri` parser does:
 * `^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<message>.*)$`, time from `time`
 * (not kept in the record). Null when the line is not CRI.
 */
export function parseCri(text: string): ParseResult | null {
  const sp1 = text.indexOf(' ');
  if (sp1 <= 0) return null;
  const stream = text.slice(sp1 + 1, sp1 + 7);
  if ((stream !== 'stdout' && stream !== 'stderr') || text.charCodeAt(sp1 + 7) !== SP) return null;
  const sp3 = text.indexOf(' ', sp1 + 8);
  if (sp3 < 0) return null;
  const time = rfc3339ToMs(text.slice(0, sp1));
  const record: Record<string, unknown> = {
    stream,
    logtag: text.slice(sp1 + 8, sp3),
    message: text.slice(sp3 + 1),
  };
  return Number.isNaN(time) ? { record } : { time, record };
}

/** The `cri` parser for the parser registry. */
export const criParser: Parser = { name: 'cri', parse: parseCri };
