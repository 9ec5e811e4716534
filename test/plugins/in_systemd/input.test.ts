import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryFields, exportStream, fakeJournalctl, type Fixture, NODE_ENTRIES } from './journal-fixtures.js';
import { JournalEngine, until } from './fake-engine.js';

/** The systemd input driven by a stand-in journalctl that replays recorded export output (no systemd needed). */

let dir: string;
const engines: JournalEngine[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wren-systemd-'));
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Array<[string, string | string[]]>, opts: ConstructorParameters<typeof JournalEngine>[0] = {}): Promise<JournalEngine> {
  const e = new JournalEngine(opts);
  engines.push(e);
  return e.start(options);
}

const args = (): string[][] => {
  try {
    return readFileSync(join(dir, 'args.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
  } catch {
    return [];
  }
};
const cursorOf = (n: number) => entryFields(NODE_ENTRIES[n]!, n)[0]![1];

describe('systemd input through journalctl (stand-in)', () => {
  it('reads every entry with its fields, tags by unit, and batches runs of one tag', async () => {
    const jctl = fakeJournalctl(dir, exportStream());
    const e = await start([['journalctl', jctl], ['tag', 'node.*']]);
    await until(() => e.events.length === NODE_ENTRIES.length);
    // one batch per tag (in order within it), not one per change of unit
    const byTag = (unit: string | undefined) => NODE_ENTRIES.filter((f) => f.unit === unit).map((f) => f.message);
    for (const unit of ['kubelet.service', 'containerd.service', 'sshd.service', undefined]) {
      expect(e.batches.filter((b) => b.tag === `node.${unit ?? 'unknown'}`).flatMap((b) => b.events.map((x) => x.record.MESSAGE))).toEqual(byTag(unit));
    }
    expect(e.batches.length).toBeLessThan(NODE_ENTRIES.length);
    expect(args()[0]).toEqual(['--output=export', '--follow', '--no-pager', '--no-tail']);
  });

  it('max_entries caps a batch', async () => {
    const many: Fixture[] = Array.from({ length: 25 }, (_, i) => ({ unit: 'kubelet.service', message: `m${i}` }));
    const jctl = fakeJournalctl(dir, exportStream(many));
    const e = await start([['journalctl', jctl], ['max_entries', '10']]);
    await until(() => e.events.length === 25);
    expect(Math.max(...e.batches.map((b) => b.events.length))).toBeLessThanOrEqual(10);
  });

  it('db: the cursor of the last delivered entry is saved; a restart goes on after it', async () => {
    const jctl = fakeJournalctl(dir, exportStream());
    const db = join(dir, 'systemd.db');
    const first = await start([['journalctl', jctl], ['db', db], ['max_entries', '1']], { delivery: 'manual' });
    await until(() => first.events.length === NODE_ENTRIES.length);
    // one entry a batch (max_entries 1): deliver the first three only
    for (const b of first.batches.slice(0, 3)) first.finish(b);
    await first.stop();
    engines.length = 0;
    expect(JSON.parse(readFileSync(db, 'utf8')).cursor).toBe(cursorOf(2));
    const second = await start([['journalctl', jctl], ['db', db], ['read_from_tail', 'on']]);
    await until(() => second.events.length === 3);
    expect(second.events.map((x) => x.record.MESSAGE)).toEqual(NODE_ENTRIES.slice(3).map((f) => f.message));
    expect(args()[1]).toContain(`--after-cursor=${cursorOf(2)}`);
  });

  it('a saved cursor the journal no longer has: warned, then read from the head', async () => {
    const jctl = fakeJournalctl(dir, exportStream());
    const db = join(dir, 'systemd.db');
    writeFileSync(db, JSON.stringify({ wren_systemd_db: 1, cursor: 's=gone;i=1' }));
    const e = await start([['journalctl', jctl], ['db', db]]);
    await until(() => e.events.length === NODE_ENTRIES.length, 8000);
    expect(e.logs.some((l) => String(l.msg).includes('the saved cursor is not in the journal'))).toBe(true);
  });

  it('journalctl exiting is logged and it is started again after the last entry read (nothing twice, nothing lost)', async () => {
    const jctl = fakeJournalctl(dir, exportStream());
    writeFileSync(join(dir, 'exit-code'), '1');
    const e = await start([['journalctl', jctl]]);
    await until(() => args().length >= 2, 8000);
    rmSync(join(dir, 'exit-code'));
    await until(() => args().length >= 3 || e.events.length === NODE_ENTRIES.length, 8000);
    expect(e.events.map((x) => x.record.MESSAGE)).toEqual(NODE_ENTRIES.map((f) => f.message));
    expect(args()[1]).toContain(`--after-cursor=${cursorOf(NODE_ENTRIES.length - 1)}`);
    expect(e.logs.some((l) => String(l.msg).includes('journalctl exited'))).toBe(true);
  });

  it('while paused (mem_buf_limit) journalctl\'s output is not read; nothing is lost', async () => {
    const many: Fixture[] = Array.from({ length: 5000 }, (_, i) => ({ unit: 'kubelet.service', message: `message ${i} ${'x'.repeat(100)}` }));
    const jctl = fakeJournalctl(dir, exportStream(many));
    const e = await start([['journalctl', jctl], ['max_entries', '100']], { delivery: 'manual', limitEvents: 300 });
    await until(() => e.paused);
    await new Promise((r) => setTimeout(r, 300));
    expect(e.events.length).toBeLessThan(1000); // what was read before the pause, one pipe's worth at most
    e.autoDeliver();
    await until(() => e.events.length === 5000, 15000);
    const msgs = e.events.map((x) => x.record.MESSAGE as string);
    expect(new Set(msgs).size).toBe(5000);
    expect(msgs[4999]).toMatch(/^message 4999 /);
  });

  it('a journalctl that cannot be run fails the start with the fix', async () => {
    await expect(start([['journalctl', join(dir, 'no-such-journalctl')]])).rejects.toThrow(/systemd: cannot run .*no-such-journalctl: ENOENT/);
  });
});
