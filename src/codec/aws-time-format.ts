import { compileStrftime, type Strftime } from './strftime.js';

/**
 * `time_key_format` of the AWS outputs: strftime (UTC) plus sub-second tokens, which the two
 * families of plugins spell differently:
 * - Fluent Bit's C plugins (kinesis_firehose, kinesis_streams, s3): `%3N` milliseconds, `%9N` and
 *   `%L` nanoseconds;
 * - the aws-for-fluent-bit Go plugins (firehose, kinesis): `%L` milliseconds, `%f` microseconds.
 * Compiled once; the whole-second part is formatted once per second of record time.
 */
export type TimeFlavor = 'core' | 'go';

export const DEFAULT_TIME_KEY_FORMAT = '%Y-%m-%dT%H:%M:%S';

type Fraction = 3 | 6 | 9;

const TOKENS: Record<TimeFlavor, Array<[string, Fraction]>> = {
  core: [['%3N', 3], ['%9N', 9], ['%L', 9]],
  go: [['%L', 3], ['%f', 6]],
};

/** The fraction of a second of `ms` (epoch ms, fractional) in `digits` digits. */
function fraction(ms: number, digits: Fraction): string {
  const sec = Math.floor(ms / 1000);
  const nanos = Math.min(999_999_999, Math.max(0, Math.round((ms - sec * 1000) * 1e6)));
  return String(Math.floor(nanos / 10 ** (9 - digits))).padStart(digits, '0');
}

/** Compile a time_key_format; the function takes epoch ms (fractions keep micro/nanoseconds). */
export function compileAwsTimeFormat(format: string, flavor: TimeFlavor): (ms: number) => string {
  const tokens = TOKENS[flavor];
  const parts: Array<Strftime | Fraction> = [];
  let text = '';
  for (let i = 0; i < format.length; i++) {
    const hit = format[i] === '%' ? tokens.find(([t]) => format.startsWith(t, i)) : undefined;
    if (hit) {
      if (text) parts.push(compileStrftime(text));
      text = '';
      parts.push(hit[1]);
      i += hit[0].length - 1;
    } else {
      text += format[i];
      // a literal %% must not be split from its second %
      if (format[i] === '%' && format[i + 1] === '%') text += format[++i];
    }
  }
  if (text) parts.push(compileStrftime(text));
  let lastSec = Number.NaN;
  let cached: string[] = [];
  return (ms) => {
    const sec = Math.floor(ms / 1000);
    if (sec !== lastSec) {
      lastSec = sec;
      cached = parts.map((p) => (typeof p === 'number' ? '' : p(sec * 1000)));
    }
    let out = '';
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      out += typeof p === 'number' ? fraction(ms, p) : cached[k]!;
    }
    return out;
  };
}
