/**
 * The one redaction function: everything Wren prints (log lines, `wren check`, `wren credentials`,
 * configuration errors, metrics labels, dead-letter reasons, excerpts of response bodies and of
 * records) goes through `redact()` before it leaves the process.
 *
 * It removes, from any text:
 * - the secrets Wren knows (configured passwords, header values, tokens, keys it was handed or
 *   fetched: `addSecret`), as written, JSON-escaped and URL-encoded;
 * - the password of a URL's userinfo (`http://user:***@host`) and the values of its query;
 * - the value after a secret-looking name: `Authorization: Bearer …`, `"SecretAccessKey":"…"`,
 *   `<SessionToken>…</SessionToken>`, `WebIdentityToken=…`, `password=…`;
 * - shapes that are secrets wherever they appear: AWS secret access keys (40 base64 characters,
 *   mixed case), session tokens and other long base64 runs, JWTs; access key ids are masked.
 * `excerpt()` caps what is printed of a body or a record, after redacting it.
 */

export const MASK = '***';

/** Secrets shorter than this are not searched for (they would mask ordinary words). */
const MIN_SECRET = 4;
/** Secrets remembered at most (fetched credentials rotate: the oldest are let go). */
const MAX_SECRETS = 512;

const known = new Set<string>();
/** Every form a known secret can take in printed text, longest first. */
let forms: string[] = [];

/** Remember a secret so that every later print masks it. Short or empty values are ignored. */
export function addSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length < MIN_SECRET || known.has(v)) return;
  known.add(v);
  if (known.size > MAX_SECRETS) known.delete(known.values().next().value as string);
  const all = new Set<string>();
  for (const s of known) {
    all.add(s);
    all.add(JSON.stringify(s).slice(1, -1));
    all.add(encodeURIComponent(s));
    all.add(new URLSearchParams({ s }).toString().slice(2));
  }
  forms = [...all].filter((f) => f.length >= MIN_SECRET).sort((a, b) => b.length - a.length);
}

/** Forget every remembered secret (tests). */
export function clearSecrets(): void {
  known.clear();
  forms = [];
}

/** The secret parts of a URL as a user wrote it (a proxy): its password (and user), its query values. */
export function addUrlSecrets(text: string | undefined): void {
  if (!text) return;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^@\s]*)@/i.exec(text.trim()) ?? /^([^@\s/]*)@/.exec(text.trim());
  if (m) {
    const info = m[1]!;
    const colon = info.indexOf(':');
    addSecret(colon < 0 ? info : info.slice(colon + 1));
    if (colon >= 0) {
      try { addSecret(decodeURIComponent(info.slice(colon + 1))); } catch { /* not encoded */ }
    }
  }
  const q = text.indexOf('?');
  if (q >= 0) for (const [, v] of new URLSearchParams(text.slice(q + 1).split('#')[0])) addSecret(v);
}

/** Header names whose values are credentials. */
export const SECRET_HEADER = /auth|token|key|secret|pass|cookie|session|signature|credential/i;

// Names whose value is a secret, as a key (`name: v`, `name=v`, `"name":"v"`, `<name>v</name>`).
const NAMES =
  '(?:proxy-)?authorization|x-api-key|api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|' +
  'x-amz-security-token|x-aws-ec2-metadata-token|session[_-]?token|aws_session_token|secret[_-]?access[_-]?key|' +
  'aws_secret_access_key|web[_-]?identity[_-]?token|client[_-]?secret|http_passwd|passwd|password|secret|token|cookie|set-cookie';

const JSON_PAIR = new RegExp(`("(?:${NAMES})"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`, 'gi');
const XML_PAIR = new RegExp(`(<(${NAMES})>)([^<]*)(</\\2>)`, 'gi');
// `name: value` / `name=value`; a scheme word (Bearer, Basic, AWS4-HMAC-SHA256…) is kept, its value masked
const TEXT_PAIR = new RegExp(
  `(^|[^A-Za-z0-9_-])((?:${NAMES})\\s*[:=]\\s*)((?:Bearer|Basic|Token|Digest|Negotiate|AWS4-HMAC-SHA256)\\s+)?([^\\s,;&"'<>\\\\]+)`,
  'gi',
);
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s@'"<>\\]*)@/gi;
const URL_QUERY = /(\bhttps?:\/\/[^\s?#'"<>\\]*\?)([^\s#'"<>\\]+)/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
/** 40 base64 characters with both cases: the shape of an AWS secret access key. */
const SECRET_KEY = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** Long base64 runs: session tokens, container tokens, other bearer material. */
const LONG_BASE64 = /[A-Za-z0-9/+]{100,}={0,2}/g;
const SECRET_NAME = new RegExp(`^(?:${NAMES})$`, 'i');

/** Mixed case and a digit (or / +): a key or token, not a word or a hex digest. */
function mixed(m: string): boolean {
  return /[a-z]/.test(m) && /[A-Z]/.test(m) && /[0-9/+]/.test(m);
}
const KEY_ID = /\b((?:AKIA|ASIA|AROA|AIDA))[A-Z0-9]{12}([A-Z0-9]{4})\b/g;

function userinfo(_m: string, scheme: string, info: string): string {
  const colon = info.indexOf(':');
  const user = colon < 0 ? '' : info.slice(0, colon);
  return user !== '' && !user.includes('/') ? `${scheme}${user}:${MASK}@` : `${scheme}${MASK}@`;
}

function query(_m: string, head: string, q: string): string {
  return head + q.split('&').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? p : `${p.slice(0, eq)}=${MASK}`;
  }).join('&');
}

/** `text` with every secret masked. Cheap when there is nothing to mask. */
export function redact(text: string): string {
  let s = text;
  for (const f of forms) if (s.includes(f)) s = s.split(f).join(MASK);
  s = s.replace(URL_USERINFO, userinfo);
  s = s.replace(URL_QUERY, query);
  s = s.replace(JSON_PAIR, (_m, a: string, _v: string, c: string) => a + MASK + c);
  s = s.replace(XML_PAIR, (_m, a: string, _n: string, _v: string, c: string) => a + MASK + c);
  s = s.replace(TEXT_PAIR, (m, pre: string, name: string, scheme: string | undefined, value: string) =>
    value === MASK ? m : pre + name + (scheme ?? '') + MASK);
  s = s.replace(JWT, MASK);
  s = s.replace(LONG_BASE64, (m) => (mixed(m) ? MASK : m));
  s = s.replace(SECRET_KEY, (m) => (mixed(m) ? MASK : m));
  s = s.replace(KEY_ID, '$1************$2');
  return s;
}

/** Any value redacted in depth (strings masked, keys named like secrets masked whole). */
export function redactValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return redact(v);
  if (v === null || typeof v !== 'object' || depth > 32) return v;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const secretKey = typeof x === 'string' && SECRET_NAME.test(k);
    Object.defineProperty(out, k, { value: secretKey ? MASK : redactValue(x, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * At most `max` characters of `text`, redacted, on one line: what Wren prints of a response
 * body, a refused record, a process's stderr. Redacts before cutting (a secret cut in two would
 * slip through), from a bounded prefix (a huge body costs no more than a small one).
 */
export function excerpt(text: string | Buffer, max = 300): string {
  const raw = typeof text === 'string' ? text.slice(0, max * 4 + 1024) : text.subarray(0, max * 4 + 1024).toString('utf8');
  const t = redact(raw).replace(/\s+/g, ' ').trim();
  const long = t.length > max || (typeof text === 'string' ? text.length : text.length) > raw.length;
  return long ? t.slice(0, max) + '…' : t;
}

/** A stream that redacts what is written to it (stdout and stderr of the commands). */
export function redactingStream(out: NodeJS.WritableStream): NodeJS.WritableStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    return (out.write as (c: string, ...r: unknown[]) => boolean)(redact(text), ...rest);
  };
  return new Proxy(out, {
    get(target, prop, receiver) {
      if (prop === 'write') return write;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
