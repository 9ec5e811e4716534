import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWren, writeConfig } from '../../helpers/cli.js';
import { JournalEngine, until } from './fake-engine.js';
import { exportStream, type Fixture, NODE_ENTRIES } from './journal-fixtures.js';

/**
 * The systemd input on real journal files, read by the real journalctl. The files are written by
 * the test (systemd-journal-remote turning an export stream into a .journal file), never the
 * machine's own journal. A layer: `.ci/run` sets WREN_TEST_JOURNAL=1 after installing Debian's
 * systemd and systemd-journal-remote; with it set, missing tools FAIL these tests.
 */
const LAYER = process.env.WREN_TEST_JOURNAL === '1';
const REMOTE = ['/lib/systemd/systemd-journal-remote', '/usr/lib/systemd/systemd-journal-remote'].find((p) => existsSync(p));

let dir: string;
let journal: string;
const engines: JournalEngine[] = [];

/** Append entries to the test's journal file (systemd-journal-remote appends to an existing one). */
function write(entries: Fixture[], from: number): void {
  const src = join(dir, `in-${from}.export`);
  writeFileSync(src, exportStream(entries, from));
  const r = spawnSync(REMOTE!, [`--output=${join(journal, 'remote.journal')}`, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`systemd-journal-remote failed: ${r.stderr}`);
}

async function start(options: Array<[string, string | string[]]>, opts: ConstructorParameters<typeof JournalEngine>[0] = {}): Promise<JournalEngine> {
  const e = new JournalEngine(opts);
  engines.push(e);
  return e.start([['path', journal], ...options]);
}

describe.skipIf(!LAYER)('systemd input on journal files (journalctl, systemd-journal-remote)', () => {
  beforeAll(() => {
    expect(REMOTE, 'systemd-journal-remote is not installed (Debian: apt-get install systemd-journal-remote)').toBeDefined();
    expect(() => execFileSync('journalctl', ['--version']), 'journalctl is not installed (Debian: apt-get install systemd)').not.toThrow();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wren-journal-'));
    journal = join(dir, 'journal');
    mkdirSync(journal);
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the folder: every field, a multi-line MESSAGE, repeated fields, tag by unit, the entry time', async () => {
    write(NODE_ENTRIES, 0);
    const e = await start([['tag', 'node.*']]);
    await until(() => e.events.length === NODE_ENTRIES.length, 10_000);
    // one batch per unit (in journal order within it)
    for (const unit of ['kubelet.service', 'containerd.service', 'sshd.service', undefined]) {
      expect(e.batches.filter((b) => b.tag === `node.${unit ?? 'unknown'}`).flatMap((b) => b.events.map((x) => x.record.MESSAGE)))
        .toEqual(NODE_ENTRIES.filter((f) => f.unit === unit).map((f) => f.message));
    }
    const kubelet = e.batches.find((b) => b.tag === 'node.kubelet.service')!.events;
    expect(kubelet[0]!.record).toMatchObject({ _SYSTEMD_UNIT: 'kubelet.service', _PID: '2211', PRIORITY: '6' });
    expect(kubelet[0]!.time).toBe(1741943564118.802);
    expect(kubelet.at(-1)!.record.CONTAINER_TAG).toEqual(['a', 'b']);
    expect(kubelet.at(-1)!.record.MESSAGE).toBe('panic stack\nline two\n\tline three');
  });

  it('systemd_filter: or (any), and (all)', async () => {
    write(NODE_ENTRIES, 0);
    const or = await start([['systemd_filter', ['_SYSTEMD_UNIT=sshd.service', 'PRIORITY=3']]]);
    await until(() => or.events.length === 2, 10_000);
    const and = await start([['systemd_filter', ['_SYSTEMD_UNIT=kubelet.service', 'PRIORITY=3']], ['systemd_filter_type', 'and']]);
    await until(() => and.events.length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(or.events.map((x) => x.record._SYSTEMD_UNIT)).toEqual(['kubelet.service', 'sshd.service']);
    expect(and.events.map((x) => x.record.PRIORITY)).toEqual(['3']);
  });

  it('follows the journal; read_from_tail skips what was there; the db cursor resumes a restart after the last delivered entry', async () => {
    write(NODE_ENTRIES.slice(0, 3), 0);
    const db = join(dir, 'systemd.db');
    const fromTail = await start([['read_from_tail', 'on']]);
    const first = await start([['db', db]]);
    await until(() => first.events.length === 3, 10_000);
    write(NODE_ENTRIES.slice(3, 5), 3);
    await until(() => first.events.length === 5 && fromTail.events.length === 2, 10_000);
    expect(fromTail.events.map((x) => x.record.MESSAGE)).toEqual(NODE_ENTRIES.slice(3, 5).map((f) => f.message));
    await first.stop();
    engines.splice(engines.indexOf(first), 1);
    write(NODE_ENTRIES.slice(5), 5);
    const second = await start([['db', db]]);
    await until(() => second.events.length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(second.events.map((x) => x.record.MESSAGE)).toEqual([NODE_ENTRIES[5]!.message]);
  });

  it('wren run: journal → file output, tag by unit', async () => {
    write(NODE_ENTRIES, 0);
    const out = join(dir, 'out');
    mkdirSync(out);
    const cfg = writeConfig(`service:
  flush: 0.2
  log_level: warn
pipeline:
  inputs:
    - name: systemd
      path: ${journal}
      tag: host.*
      strip_underscores: on
      lowercase: on
  outputs:
    - name: file
      match: 'host.*'
      path: ${out}
      format: plain
`, dir);
    const w = startWren(['run', '-c', cfg]);
    try {
      await until(() => readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)).length === NODE_ENTRIES.length, 15_000);
    } finally {
      w.kill();
      await w.exited;
    }
    const recs = readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
    expect(recs.map((r) => r.message).sort()).toEqual(NODE_ENTRIES.map((f) => f.message).sort());
    expect(recs.find((r) => r.systemd_unit === 'sshd.service')).toMatchObject({ pid: '4410', comm: 'sshd' });
    expect(readdirSync(out).sort()).toEqual(['host.containerd.service', 'host.kubelet.service', 'host.sshd.service', 'host.unknown']);
    expect(w.stderr()).toBe('');
  });
});
