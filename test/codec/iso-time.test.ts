import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { isoTime } from '../../src/codec/iso-time.js';
import { childEnv } from '../helpers/cli.js';

test('isoTime writes what toISOString writes', () => {
  const cases = [0, 1, 999, 1000, -1, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(1999, 11, 31), Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    Date.UTC(0, 0, 1) - 0, -62198755200000, 1733184000123.9];
  for (let i = 0; i < 2000; i++) cases.push(Math.floor((i * 7919.37) * 86_400_000 % 4e14));
  for (const ms of cases) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
});

test('isoTime: years outside 0-9999 and invalid dates as toISOString has them', () => {
  for (const ms of [Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1), 8.64e15]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  expect(() => isoTime(NaN)).toThrow(RangeError);
});

test('a process that logs and signs never maps ICU time zone data (toISOString does: +0.9 MB RSS)', () => {
  const root = join(__dirname, '..', '..');
  const dist = join(root, 'dist', 'src');
  const probe = `
    const { createLogger } = await import(${JSON.stringify(join(dist, 'log.js'))});
    const { signRequest } = await import(${JSON.stringify(join(dist, 'aws', 'signer.js'))});
    createLogger('info', { write: () => true }).info('a line with its time');
    signRequest({ method: 'GET', url: new URL('https://example.com/'), headers: {} }, { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, region: 'us-east-1', service: 'es' });
    const before = process.memoryUsage().rss;
    new Date().toISOString();
    console.log(process.memoryUsage().rss - before);`;
  const preload = join(root, 'test', 'helpers', 'loopback-guard-preload.mjs');
  const grew = Number(execFileSync(process.execPath, ['--import', preload, '--input-type=module', '-e', probe], { env: childEnv(), encoding: 'utf8' }).trim());
  // toISOString's first call maps ICU's time zone data now: had either already run it, nothing would be left to map
  expect(grew).toBeGreaterThan(256 * 1024);
});
