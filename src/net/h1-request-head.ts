import type { Dispatcher } from 'undici';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;
/** Headers the request line and framing own (as undici refuses them). */
const FRAMING = new Set(['transfer-encoding', 'keep-alive', 'upgrade', 'expect']);

/**
 * Why a header cannot be sent as given (undefined when it can): its name is not an HTTP token, its
 * value holds a line break or a NUL, or it is a framing header the client sets itself. The http
 * output checks its `header` entries with this when the config loads.
 */
export function headerProblem(name: string, value: string): string | undefined {
  if (!TOKEN.test(name)) return "its name is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~)";
  if (BAD_VALUE.test(value)) return 'its value holds a line break or a NUL';
  const lower = name.toLowerCase();
  if (FRAMING.has(lower)) return 'the HTTP client sets it itself';
  if (lower === 'connection' && !/^(close|keep-alive)$/i.test(value)) return 'it can only be close or keep-alive';
  return undefined;
}

/**
 * Header names seen to be tokens and not framing headers (nor `connection`, whose value is
 * checked), with their lower case: a request's names are checked by a lookup, not a regular
 * expression and two lower-casings each (a Firehose output sends the same six names ~600 times
 * a run). At most 256 names are remembered.
 */
const PLAIN_NAMES = new Map<string, string>();

/**
 * The request line and headers as H1Agent writes them, with `host` and `content-length` when the
 * caller did not set them; names, values and framing headers are checked as undici checks them.
 */
export function requestHead(opts: Dispatcher.DispatchOptions, host: string, body: Buffer | Uint8Array | string | undefined): { head: string; close: boolean } {
  const path = opts.path;
  if (!TOKEN.test(opts.method)) throw new TypeError(`invalid request method ${JSON.stringify(opts.method)}`);
  if (typeof path !== 'string' || path[0] !== '/' || BAD_VALUE.test(path) || path.includes(' ')) throw new TypeError(`invalid request path ${JSON.stringify(path)}`);
  let lines = '';
  let hasHost = false;
  let length: string | undefined;
  let close = false;
  const add = (name: string, value: unknown) => {
    const v = String(value);
    let lower = PLAIN_NAMES.get(name);
    if (lower === undefined || BAD_VALUE.test(v)) {
      const problem = headerProblem(name, v);
      if (problem !== undefined) throw new TypeError(`header ${JSON.stringify(name)} cannot be sent: ${problem}`);
      lower = name.toLowerCase();
      if (lower !== 'connection' && PLAIN_NAMES.size < 256) PLAIN_NAMES.set(name, lower);
    }
    if (lower === 'host') hasHost = true;
    else if (lower === 'content-length') {
      length = v;
      return;
    } else if (lower === 'connection') {
      if (v.toLowerCase() === 'close') close = true;
      return;
    }
    lines += `${name}: ${v}\r\n`;
  };
  const h = opts.headers;
  if (Array.isArray(h)) {
    for (let i = 0; i + 1 < h.length; i += 2) add(String(h[i]), h[i + 1]);
  } else if (h != null) {
    for (const [k, v] of Object.entries(h as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) add(k, x);
      else add(k, v);
    }
  }
  let head = hasHost ? `${opts.method} ${path} HTTP/1.1\r\n${lines}` : `${opts.method} ${path} HTTP/1.1\r\nhost: ${host}\r\n${lines}`;
  const size = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (length !== undefined && Number(length) !== size) throw new TypeError(`content-length ${length} does not match the body's ${size} bytes`);
  if (body !== undefined || opts.method === 'POST' || opts.method === 'PUT' || opts.method === 'PATCH') head += `content-length: ${size}\r\n`;
  head += close ? 'connection: close\r\n\r\n' : 'connection: keep-alive\r\n\r\n';
  return { head, close };
}
