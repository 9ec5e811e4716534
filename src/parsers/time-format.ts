/**
 * strptime-style `time_format`, as Fluent Bit reads it (flb_strptime plus its `%L` fraction).
 *
 * Supported: %Y %y %m %d %e %H %k %I %l %M %S %L (fraction, up to 9 digits) %j %p
 * %b %B %h (month names) %a %A (weekday names, ignored) %u %w (weekday digits, ignored)
 * %z (Z, ±hh, ±hhmm, ±hh:mm) %Z (UTC, GMT, Z) %s (epoch seconds) %n %t %% and the
 * composites %T (%H:%M:%S) %D (%m/%d/%y) %R (%H:%M) %r (%I:%M:%S %p) %F (%Y-%m-%d).
 * A blank in the format matches any run of blanks (also none). Text after the match is ignored,
 * as in Fluent Bit. Without a zone in the text, `time_offset` applies (default UTC). Without a
 * year in the format, the current UTC year is used (syslog), and without a day, today.
 *
 * A format is compiled once into tokens; parsing is a loop over char codes, no allocation.
 */

export interface TimeFormat {
  readonly source: string;
  /** Epoch milliseconds (fractional for sub-ms digits), or undefined when the text does not match. */
  parse(text: string, nowMs?: number): number | undefined;
}

const enum T {
  Lit, Space, Year4, Year2, Month, Day, DaySp, Hour, HourSp, Hour12, Hour12Sp, Minute, Second,
  Frac, YDay, AmPm, MonthName, WeekdayName, WeekdayNum, Zone, ZoneName, Epoch,
}

interface Token { t: T; c: number }

const COMPOSITES: Record<string, string> = { T: '%H:%M:%S', D: '%m/%d/%y', R: '%H:%M', r: '%I:%M:%S %p', F: '%Y-%m-%d' };
const SIMPLE: Record<string, T> = {
  Y: T.Year4, y: T.Year2, m: T.Month, d: T.Day, e: T.DaySp, H: T.Hour, k: T.HourSp, I: T.Hour12,
  l: T.Hour12Sp, M: T.Minute, S: T.Second, L: T.Frac, j: T.YDay, p: T.AmPm, b: T.MonthName,
  B: T.MonthName, h: T.MonthName, a: T.WeekdayName, A: T.WeekdayName, u: T.WeekdayNum,
  w: T.WeekdayNum, z: T.Zone, Z: T.ZoneName, s: T.Epoch, n: T.Space, t: T.Space,
};

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september',
  'october', 'november', 'december'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function tokenize(fmt: string, out: Token[]): void {
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt.charCodeAt(i);
    if (isSpace(ch)) {
      if (out.length === 0 || out[out.length - 1]!.t !== T.Space) out.push({ t: T.Space, c: 0 });
      continue;
    }
    if (ch !== 37 /* % */) {
      out.push({ t: T.Lit, c: ch });
      continue;
    }
    let spec = fmt[++i];
    if (spec === 'E' || spec === 'O') spec = fmt[++i]; // alternative-representation modifiers
    if (spec === undefined) throw new Error(`'${fmt}' ends with a lone %`);
    if (spec === '%') {
      out.push({ t: T.Lit, c: 37 });
      continue;
    }
    const composite = COMPOSITES[spec];
    if (composite) {
      tokenize(composite, out);
      continue;
    }
    const t = SIMPLE[spec];
    if (t === undefined) throw new Error(`'%${spec}' is not a supported time_format conversion`);
    if (t === T.Space) {
      if (out.length === 0 || out[out.length - 1]!.t !== T.Space) out.push({ t: T.Space, c: 0 });
    } else out.push({ t, c: 0 });
  }
}

/** `+0900`, `-07:00`, `+09`, `Z` → seconds east of UTC; undefined when malformed. */
export function parseTzOffset(text: string): number | undefined {
  const m = /^\s*(?:(Z)|([+-])(\d{2}):?(\d{2})?)\s*$/.exec(text);
  if (!m) return undefined;
  if (m[1]) return 0;
  const h = Number(m[3]);
  const min = m[4] ? Number(m[4]) : 0;
  if (h > 23 || min > 59) return undefined;
  const s = h * 3600 + min * 60;
  return m[2] === '-' ? -s : s;
}

/** Days since 1970-01-01 for a proleptic Gregorian date (month 1-12; day may overflow). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Scratch state of one parse (single-threaded, reset each call).
let pos = 0;
let year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0, yday = 0, frac = 0, epoch = 0, zone = 0;
let hasYear = false, hasMon = false, hasDay = false, hasYday = false, hasZone = false, hasEpoch = false;
let pm = -1, hour12 = false;

function readNum(s: string, maxDigits: number, lo: number, hi: number, leadingSpace: boolean): number {
  if (leadingSpace) while (pos < s.length && s.charCodeAt(pos) === 32) pos++;
  let n = 0;
  let digits = 0;
  while (digits < maxDigits && pos < s.length) {
    const c = s.charCodeAt(pos);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    pos++;
    digits++;
  }
  if (digits === 0 || n < lo || n > hi) return -1;
  return n;
}

/** Match one of `names` (full, or its first three letters), case-insensitive; index or -1. */
function readName(s: string, names: readonly string[]): number {
  for (let i = 0; i < names.length; i++) {
    const full = names[i]!;
    if (s.length - pos >= full.length && s.substr(pos, full.length).toLowerCase() === full) {
      pos += full.length;
      return i;
    }
  }
  for (let i = 0; i < names.length; i++) {
    if (s.length - pos >= 3 && s.substr(pos, 3).toLowerCase() === names[i]!.slice(0, 3)) {
      pos += 3;
      return i;
    }
  }
  return -1;
}

function readZone(s: string): boolean {
  const c = s.charCodeAt(pos);
  if (c === 90 /* Z */) {
    pos++;
    zone = 0;
    return true;
  }
  if (c !== 43 && c !== 45) return false;
  pos++;
  const h = readNum(s, 2, 0, 23, false);
  if (h < 0) return false;
  if (s.charCodeAt(pos) === 58 /* : */) pos++;
  const start = pos;
  let m = readNum(s, 2, 0, 59, false);
  if (m < 0) {
    pos = start;
    m = 0;
  }
  zone = (h * 3600 + m * 60) * (c === 45 ? -1 : 1);
  return true;
}

function step(tok: Token, s: string): boolean {
  let n: number;
  switch (tok.t) {
    case T.Lit:
      if (s.charCodeAt(pos) !== tok.c) return false;
      pos++;
      return true;
    case T.Space:
      while (pos < s.length && isSpace(s.charCodeAt(pos))) pos++;
      return true;
    case T.Year4: n = readNum(s, 4, 0, 9999, false); if (n < 0) return false; year = n; hasYear = true; return true;
    case T.Year2: n = readNum(s, 2, 0, 99, false); if (n < 0) return false; year = n < 69 ? 2000 + n : 1900 + n; hasYear = true; return true;
    case T.Month: n = readNum(s, 2, 1, 12, false); if (n < 0) return false; mon = n; hasMon = true; return true;
    case T.Day: case T.DaySp: n = readNum(s, 2, 1, 31, tok.t === T.DaySp); if (n < 0) return false; day = n; hasDay = true; return true;
    case T.Hour: case T.HourSp: n = readNum(s, 2, 0, 23, tok.t === T.HourSp); if (n < 0) return false; hour = n; hour12 = false; return true;
    case T.Hour12: case T.Hour12Sp: n = readNum(s, 2, 1, 12, tok.t === T.Hour12Sp); if (n < 0) return false; hour = n; hour12 = true; return true;
    case T.Minute: n = readNum(s, 2, 0, 59, false); if (n < 0) return false; min = n; return true;
    case T.Second: n = readNum(s, 2, 0, 61, false); if (n < 0) return false; sec = n; return true;
    case T.YDay: n = readNum(s, 3, 1, 366, false); if (n < 0) return false; yday = n; hasYday = true; return true;
    case T.WeekdayNum: return readNum(s, 1, 0, 7, false) >= 0;
    case T.Frac: {
      let digits = 0;
      let v = 0;
      let scale = 1;
      while (pos < s.length) {
        const c = s.charCodeAt(pos);
        if (c < 48 || c > 57) break;
        if (digits < 9) {
          v = v * 10 + (c - 48);
          scale *= 10;
        }
        digits++;
        pos++;
      }
      if (digits === 0) return false;
      frac = v / scale;
      return true;
    }
    case T.AmPm: {
      const c = s.charCodeAt(pos) | 32;
      if ((c !== 97 && c !== 112) || (s.charCodeAt(pos + 1) | 32) !== 109) return false;
      pm = c === 112 ? 1 : 0;
      pos += 2;
      return true;
    }
    case T.MonthName: n = readName(s, MONTHS); if (n < 0) return false; mon = n + 1; hasMon = true; return true;
    case T.WeekdayName: return readName(s, WEEKDAYS) >= 0;
    case T.Zone: if (!readZone(s)) return false; hasZone = true; return true;
    case T.ZoneName: {
      const rest = s.slice(pos, pos + 3).toUpperCase();
      if (rest === 'UTC' || rest === 'GMT') pos += 3;
      else if (rest.startsWith('Z')) pos += 1;
      else return false;
      zone = 0;
      hasZone = true;
      return true;
    }
    case T.Epoch: {
      const start = pos;
      if (s.charCodeAt(pos) === 45) pos++;
      let v = 0;
      let digits = 0;
      while (pos < s.length) {
        const c = s.charCodeAt(pos);
        if (c < 48 || c > 57) break;
        v = v * 10 + (c - 48);
        pos++;
        digits++;
      }
      if (digits === 0) {
        pos = start;
        return false;
      }
      epoch = s.charCodeAt(start) === 45 ? -v : v;
      hasEpoch = true;
      return true;
    }
  }
}

export interface TimeFormatOptions {
  /** `time_offset` in seconds east of UTC, used when the text carries no zone. */
  offsetSec?: number;
}

/** Compile a `time_format`; throws an Error naming the bad conversion. */
export function compileTimeFormat(format: string, opts: TimeFormatOptions = {}): TimeFormat {
  const tokens: Token[] = [];
  tokenize(format, tokens);
  // A zone written in the format (%z, %Z, a literal Z after the seconds) wins over time_offset.
  const offsetMs = formatHasZone(format) ? 0 : (opts.offsetSec ?? 0) * 1000;
  let cachedYearUntil = 0;
  let cachedYear = 1970;
  let cachedMon = 1;
  let cachedDay = 1;

  return {
    source: format,
    parse(text: string, nowMs?: number): number | undefined {
      pos = 0;
      year = 1970; mon = 1; day = 1; hour = 0; min = 0; sec = 0; yday = 0; frac = 0; epoch = 0; zone = 0;
      hasYear = false; hasMon = false; hasDay = false; hasYday = false; hasZone = false; hasEpoch = false;
      pm = -1; hour12 = false;
      for (let i = 0; i < tokens.length; i++) {
        if (!step(tokens[i]!, text)) return undefined;
      }
      if (hasEpoch) return epoch * 1000 + frac * 1000;
      if (!hasYear) {
        // Fluent Bit: a format without a year takes the current (UTC) year, and today's date.
        const now = nowMs ?? Date.now();
        if (nowMs !== undefined || now >= cachedYearUntil) {
          const d = new Date(now);
          cachedYear = d.getUTCFullYear();
          cachedMon = d.getUTCMonth() + 1;
          cachedDay = d.getUTCDate();
          cachedYearUntil = nowMs !== undefined ? 0 : now + 1000;
        }
        year = cachedYear;
        if (!hasMon && !hasYday) mon = cachedMon;
        if (!hasDay && !hasYday) day = cachedDay;
      }
      if (hour12 && pm >= 0) hour = (hour % 12) + (pm === 1 ? 12 : 0);
      else if (pm === 1 && hour < 12) hour += 12;
      const days = hasYday && !hasMon && !hasDay ? daysFromCivil(year, 1, 1) + yday - 1 : daysFromCivil(year, mon, day);
      const ms = ((days * 24 + hour) * 60 + min) * 60_000 + sec * 1000 + frac * 1000;
      return ms - (hasZone ? zone * 1000 : offsetMs);
    },
  };
}

/** True when the format itself pins the zone (Fluent Bit ignores `time_offset` then). */
export function formatHasZone(format: string): boolean {
  return /%z|%Z|%SZ|%S\.%LZ/.test(format);
}
