import { randomBytes } from 'node:crypto';
import { compileStrftime } from '../../src/codec/strftime.js';

/**
 * Object keys from `s3_key_format`, as Fluent Bit builds them: `$TAG[n]` (n 0-9) are the tag's
 * parts split on any of `s3_key_format_tag_delimiters` (empty parts skipped, as strtok does),
 * `$TAG` the whole tag, `$INDEX` the sequential index, `$UUID` 8 random letters and digits, then
 * strftime conversions of the object's first record time (UTC). The key is the result without its
 * leading '/'. A PutObject key without $UUID or $INDEX gets `-object` and 8 random characters
 * appended unless static_file_path is on (so two objects of the same second do not collide).
 */
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomAlnum(n = 8): string {
  const b = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[b[i]! % ALNUM.length];
  return s;
}

export interface KeyInput {
  format: string;
  tag: string;
  delimiters: string;
  /** Seconds since the epoch of the first record. */
  timeSec: number;
  index: number;
  putObject: boolean;
  staticFilePath: boolean;
}

export function hasIndex(format: string): boolean {
  return format.includes('$INDEX');
}

export function renderKey(k: KeyInput): string {
  let key = k.format;
  const parts = k.tag.split(new RegExp(`[${k.delimiters.replace(/[\\\]^-]/g, '\\$&') || '.'}]`)).filter((p) => p.length > 0);
  key = key.replace(/\$TAG\[(\d)\]/g, (m, d: string) => parts[Number(d)] ?? m);
  key = key.replaceAll('$TAG', k.tag);
  const indexed = key.includes('$INDEX');
  if (indexed) key = key.replaceAll('$INDEX', String(k.index));
  const uuid = key.includes('$UUID');
  if (uuid) key = key.replaceAll('$UUID', randomAlnum());
  key = compileStrftime(key)(k.timeSec * 1000);
  if (k.putObject && !uuid && !indexed && !k.staticFilePath) key += `-object${randomAlnum()}`;
  key = key.replace(/^\/+/, '');
  return key.length > 1024 ? key.slice(0, 1024) : key;
}
