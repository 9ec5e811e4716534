import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalctlArgs, readSystemdConfig } from '../../../plugins/in_systemd/config.js';
import { CursorDb, CursorQueue } from '../../../plugins/in_systemd/cursor-db.js';
import { systemdInput } from '../../../plugins/in_systemd/index.js';
import type { ConfigError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { resolvedOptions } from '../../helpers/plugin-context.js';

/** The one line a user sees for what `fn` throws. */
function lineOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as ConfigError).toLine();
  }
  return 'no error';
}

const cfg = (entries: Array<[string, string | string[]]>) => readSystemdConfig(resolvedOptions(systemdInput, entries), '/etc/wren');

describe('systemd input options → journalctl arguments', () => {
  it('from the head by default; the folder; filters ORed with +', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-j-'));
    expect(journalctlArgs(cfg([['path', dir], ['systemd_filter', ['_SYSTEMD_UNIT=kubelet.service', '_SYSTEMD_UNIT=containerd.service', 'PRIORITY=3']]]), undefined))
      .toEqual(['--output=export', '--follow', '--no-pager', `--directory=${dir}`, '--no-tail', '_SYSTEMD_UNIT=kubelet.service', '+', '_SYSTEMD_UNIT=containerd.service', '+', 'PRIORITY=3']);
  });

  it('and: matches side by side; a field given twice is also checked in Wren (journalctl would OR them)', () => {
    const c = cfg([['systemd_filter', ['_SYSTEMD_UNIT=a.service', 'PRIORITY=3']], ['systemd_filter_type', 'and']]);
    expect(c.matchArgs).toEqual(['_SYSTEMD_UNIT=a.service', 'PRIORITY=3']);
    expect(c.match).toBeUndefined();
    const twice = cfg([['systemd_filter', ['CONTAINER_TAG=a', 'CONTAINER_TAG=b']], ['systemd_filter_type', 'and']]);
    expect(twice.match!(new Map([['CONTAINER_TAG', ['a', 'b']]]))).toBe(true);
    expect(twice.match!(new Map([['CONTAINER_TAG', ['a']]]))).toBe(false);
  });

  it('a db cursor wins over read_from_tail; read_from_tail reads new entries only; a file path is --file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-j-'));
    writeFileSync(join(dir, 'system.journal'), '');
    const c = cfg([['read_from_tail', 'on'], ['path', join(dir, 'system.journal')]]);
    expect(journalctlArgs(c, undefined).slice(3)).toEqual([`--file=${join(dir, 'system.journal')}`, '--lines=0']);
    expect(journalctlArgs(c, 's=1;i=2').slice(4)).toEqual(['--after-cursor=s=1;i=2', '--no-tail']);
  });

  it('bad values are config errors at their line, with the fix', () => {
    expect(lineOf(() => cfg([['systemd_filter', 'kubelet']]))).toMatch(/test\.yaml:2:1: systemd: systemd_filter 'kubelet' is not FIELD=value \(write e\.g\. _SYSTEMD_UNIT=kubelet\.service/);
    expect(() => cfg([['systemd_filter', '_systemd_unit=x']])).toThrow(/is not FIELD=value/);
    expect(lineOf(() => cfg([['path', '/nonexistent/journal']]))).toMatch(/test\.yaml:2:1: systemd: path '\/nonexistent\/journal' cannot be read \(ENOENT\)/);
    expect(() => resolvedOptions(systemdInput, [['systemd_filter_type', 'xor']])).toThrow(/'systemd_filter_type' expects one of or, and/);
  });
});

describe('systemd cursor db', () => {
  it('commits the cursor of the contiguous prefix of delivered batches only', () => {
    const got: string[] = [];
    const q = new CursorQueue((c) => got.push(c));
    const done = ['a', 'b', 'c', 'd'].map((c) => q.add(c));
    done[1]!();
    done[3]!();
    expect(got).toEqual([]);
    done[0]!();
    expect(got).toEqual(['b']);
    done[2]!();
    expect(got).toEqual(['b', 'd']);
    expect(q.inFlight).toBe(0);
    for (let i = 0; i < 5000; i++) q.add(`x${i}`)();
    expect(got.at(-1)).toBe('x4999');
  });

  it('is a JSON file written atomically, read back at start; a broken one starts without a cursor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-j-'));
    const path = join(dir, 'systemd.db');
    const log = createLogger('off');
    const db = CursorDb.open(path, 'normal', log);
    expect(db.get()).toBeUndefined();
    db.set('s=1;i=1');
    db.set('s=1;i=2');
    await db.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ wren_systemd_db: 1, cursor: 's=1;i=2' });
    expect(CursorDb.open(path, 'full', log).get()).toBe('s=1;i=2');
    writeFileSync(path, '{not json');
    expect(CursorDb.open(path, 'off', log).get()).toBeUndefined();
  });
});
