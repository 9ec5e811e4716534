/**
 * strftime in UTC for index names (`logstash_dateformat`, `%` in `index`) and the time key
 * (`time_key_format`), as Fluent Bit calls the C library with gmtime. Compiled once per format.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));
const pad3 = (n: number) => (n < 10 ? '00' + n : n < 100 ? '0' + n : String(n));

type Part = string | ((d: Date) => string);

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

const CONVERSIONS: Record<string, (d: Date) => string> = {
  Y: (d) => String(d.getUTCFullYear()),
  C: (d) => pad2(Math.floor(d.getUTCFullYear() / 100)),
  y: (d) => pad2(d.getUTCFullYear() % 100),
  m: (d) => pad2(d.getUTCMonth() + 1),
  d: (d) => pad2(d.getUTCDate()),
  e: (d) => String(d.getUTCDate()).padStart(2, ' '),
  H: (d) => pad2(d.getUTCHours()),
  I: (d) => pad2(d.getUTCHours() % 12 || 12),
  M: (d) => pad2(d.getUTCMinutes()),
  S: (d) => pad2(d.getUTCSeconds()),
  j: (d) => pad3(dayOfYear(d)),
  a: (d) => DAYS[d.getUTCDay()]!.slice(0, 3),
  A: (d) => DAYS[d.getUTCDay()]!,
  b: (d) => MONTHS[d.getUTCMonth()]!.slice(0, 3),
  h: (d) => MONTHS[d.getUTCMonth()]!.slice(0, 3),
  B: (d) => MONTHS[d.getUTCMonth()]!,
  p: (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  u: (d) => String(d.getUTCDay() || 7),
  w: (d) => String(d.getUTCDay()),
  z: () => '+0000',
  Z: () => 'UTC',
  n: () => '\n',
  t: () => '\t',
  '%': () => '%',
};

const SHORTHANDS: Record<string, string> = { F: '%Y-%m-%d', T: '%H:%M:%S', D: '%m/%d/%y', R: '%H:%M' };

export type Strftime = (epochMs: number) => string;

/** Compile a strftime format (UTC). Unknown conversions are kept as written. */
export function compileStrftime(format: string): Strftime {
  const expanded = format.replace(/%([FTDR])/g, (_m, c: string) => SHORTHANDS[c]!);
  const parts: Part[] = [];
  let text = '';
  for (let i = 0; i < expanded.length; i++) {
    const ch = expanded[i]!;
    if (ch !== '%' || i === expanded.length - 1) {
      text += ch;
      continue;
    }
    const conv = CONVERSIONS[expanded[++i]!];
    if (conv === undefined) {
      text += '%' + expanded[i];
      continue;
    }
    if (text) parts.push(text);
    text = '';
    parts.push(conv);
  }
  if (text) parts.push(text);
  if (parts.every((p) => typeof p === 'string')) {
    const constant = parts.join('');
    return () => constant;
  }
  return (ms) => {
    const d = new Date(ms);
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(d);
    return out;
  };
}

/** True when the text has a strftime conversion. */
export function hasConversion(format: string): boolean {
  return /%[A-Za-z%]/.test(format);
}
