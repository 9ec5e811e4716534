import { describe, expect, it } from 'vitest';
import { renderKey } from '../../../plugins/out_s3/key-format.js';

const T = Date.parse('2025-03-14T09:08:07Z') / 1000;
const base = { tag: 'kube.var.log.containers.app-x', delimiters: '.', timeSec: T, index: 0, putObject: false, staticFilePath: false };

describe('s3_key_format', () => {
  it('$TAG, $TAG[n] split on the delimiters, strftime in UTC, no leading slash', () => {
    expect(renderKey({ ...base, format: '/fluent-bit-logs/$TAG/%Y/%m/%d/%H/%M/%S' })).toBe('fluent-bit-logs/kube.var.log.containers.app-x/2025/03/14/09/08/07');
    expect(renderKey({ ...base, format: '/$TAG[0]/$TAG[4]/x', delimiters: '.-' })).toBe('kube/app/x');
    // out of range: left for $TAG, as Fluent Bit does (it warns)
    expect(renderKey({ ...base, format: '/a/$TAG[9]' })).toBe('a/kube.var.log.containers.app-x[9]');
    expect(renderKey({ ...base, tag: 'a..b', format: '/$TAG[1]' })).toBe('b');
  });

  it('$UUID is 8 random characters; $INDEX the index; PutObject keys without either get -object<random>', () => {
    expect(renderKey({ ...base, format: '/x/$UUID/$UUID' })).toMatch(/^x\/([A-Za-z0-9]{8})\/\1$/);
    expect(renderKey({ ...base, format: '/x/$INDEX', index: 42, putObject: true })).toBe('x/42');
    expect(renderKey({ ...base, format: '/x/%Y', putObject: true })).toMatch(/^x\/2025-object[A-Za-z0-9]{8}$/);
    expect(renderKey({ ...base, format: '/x/%Y', putObject: true, staticFilePath: true })).toBe('x/2025');
    expect(renderKey({ ...base, format: '/x/%Y', putObject: false })).toBe('x/2025');
  });
});
