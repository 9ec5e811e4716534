import { expect, it } from 'vitest';
import { allDigits, chunkSizeOf, keepAliveTimeout, lastCodingIsChunked, statusOf } from '../../src/net/h1-response.js';

// The HTTP/1.1 answer's value checks, written by hand for speed: they must read every value as
// these regular expressions (the parser's before) do.
const CHUNK = /^([0-9a-fA-F]{1,12})[ \t]*(?:;[^\r]*)?\r$/;
const CHUNKED = /(?:^|,)\s*chunked\s*$/i;
const TIMEOUT = /(?:^|[ \t,])timeout=(\d+)/i;
const DIGITS = /^\d+$/;
const STATUS = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/;

function random(alphabet: string, max: number, seed: { v: number }): string {
  const next = () => (seed.v = (seed.v * 1103515245 + 12345) % 2147483648) / 2147483648;
  let s = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

it('status lines, chunk-size lines, Transfer-Encoding, Keep-Alive timeout and Content-Length read as the regular expressions read them', () => {
  const chunkLines = ['0\r', 'a\r', 'FFff\r', '5;ext=1\r', '5 ;x\r', '5\t\r', '123456789abc\r', '123456789abcd\r', '\r', ';x\r', '5', '5\r\r', 'g\r', '5 x\r', '5;a\rb\r', ' 5\r', '0000000000000\r'];
  const codings = ['chunked', 'Chunked', 'gzip, chunked', 'gzip,chunked  ', 'chunked, gzip', 'xchunked', ' chunked', 'gzip , chunked', 'gzip; chunked', ''];
  const keepAlives = ['timeout=5', 'Timeout=5, max=100', 'max=100, timeout=7', 'max=100,timeout=8', 'xtimeout=5', 'timeout=', 'timeout=x', 'a timeout=9', 'timeout=5timeout=6', 'max=1, xtimeout=2, timeout=3'];
  const lengths = ['0', '12', '', '1a', ' 1', '-1', '007'];
  const statuses = ['HTTP/1.1 200 OK', 'HTTP/1.0 404 Not Found', 'HTTP/1.1 200', 'HTTP/1.1 200 ', 'HTTP/1.1 099 x', 'HTTP/1.2 200 OK', 'HTTP/1.1 2000', 'HTTP/1.1 20 OK', 'http/1.1 200 OK', 'HTTP/1.1  200 OK', 'HTTP/2 200'];
  const seed = { v: 7 };
  for (let i = 0; i < 3000; i++) {
    chunkLines.push(random('0123456789abcdefABCDEFgx ;\t\r=', 16, seed));
    codings.push(random('chunkedgzip ,\t', 18, seed));
    keepAlives.push(random('timeout=0123456789 ,max\t', 24, seed));
    lengths.push(random('0123456789 a', 6, seed));
    statuses.push(`HTTP/1.${random('012', 2, seed)} ${random('0123456789 ', 5, seed)}${random(' OKx', 4, seed)}`);
  }
  for (const l of chunkLines) {
    const m = CHUNK.exec(l);
    expect([l, chunkSizeOf(l)]).toEqual([l, m === null ? -1 : parseInt(m[1]!, 16)]);
  }
  for (const c of codings) expect([c, lastCodingIsChunked(c)]).toEqual([c, CHUNKED.test(c)]);
  for (const k of keepAlives) {
    const m = TIMEOUT.exec(k);
    expect([k, keepAliveTimeout(k)]).toEqual([k, m === null ? undefined : Number(m[1])]);
  }
  for (const v of lengths) expect([v, allDigits(v)]).toEqual([v, DIGITS.test(v)]);
  for (const l of statuses) {
    const m = STATUS.exec(l);
    expect([l, statusOf(l)]).toEqual([l, m === null ? 0 : Number(m[2])]);
  }
});
