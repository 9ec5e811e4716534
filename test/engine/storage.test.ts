import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeEvents, eventData } from '../../src/engine/encode-events.js';
import { MetricsRegistry } from '../../src/engine/metrics.js';
import { OutputRunner } from '../../src/engine/output-runner.js';
import { Receipt } from '../../src/engine/receipt.js';
import { readChunkFile } from '../../src/engine/storage/chunk-file.js';
import { DiskChunks } from '../../src/engine/storage/disk-chunks.js';
import { OutputStore, type StoreSettings } from '../../src/engine/storage/output-store.js';
import type { Chunk, FlushResult, LogEvent } from '../../src/engine/types.js';
import { loadConfig } from '../../src/config/load.js';
import { inputStorageType } from '../../src/engine/storage/setup.js';
import { createLogger, type Logger } from '../../src/log.js';

const ev = (from: number, n: number): LogEvent[] =>
  Array.from({ length: n }, (_, i) => ({ time: 1_700_000_000_000 + from + i, record: { n: from + i, msg: `line ${from + i} ü✓` } }));
const nums = (c: Chunk) => c.data.toEvents().map((e) => e.record.n as number);

function logCapture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger('debug', { write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WritableStream);
  return { log, lines };
}

function setup(root: string, over: Partial<StoreSettings> = {}, flush: (c: Chunk) => Promise<FlushResult> = async () => ({ status: 'ok' })) {
  const reg = new MetricsRegistry();
  const metrics = reg.instance('output', 'http.0', 'http');
  const { log, lines } = logCapture();
  const settings: StoreSettings = { root, sync: false, checksum: true, maxChunksUp: 128, waitingBytesUp: Infinity, deleteIrrecoverable: false, ...over };
  const store = new OutputStore(settings, 'http.0', log, metrics);
  let blocked = 0;
  const disk = new DiskChunks(store, log, () => blocked++, () => blocked--);
  let dropped = 0;
  const runner = new OutputRunner({
    id: 'http.0', instance: { flush }, metrics, log, workers: 1, retryLimit: Infinity, schedulerBaseMs: 5, schedulerCapMs: 20,
    onDrop: (n) => (dropped += n), disk,
  });
  return { runner, store, metrics, lines, disk, dropped: () => dropped, blocked: () => blocked };
}

const chunkFiles = (root: string) => readdirSync(join(root, 'http.0')).filter((n) => n.endsWith('.chunk')).map((n) => join(root, 'http.0', n));

describe('storage settings', () => {
  it('storage.inherit: inputs that do not set storage.type store on disk; an input that says memory keeps it; filesystem without storage.path is an error naming the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-st-'));
    const cfg = join(dir, 'fluent-bit.conf');
    writeFileSync(cfg, `[SERVICE]\n    storage.path ${dir}/s\n    storage.inherit on\n\n[INPUT]\n    name stdin\n\n[INPUT]\n    name dummy\n    storage.type memory\n\n[OUTPUT]\n    name null\n    match *\n`);
    const r = loadConfig(cfg, { env: {} });
    expect(r.errors).toEqual([]);
    const [a, b] = r.config!.inputs;
    expect(inputStorageType(a!, r.config!.service.storage)).toBe('filesystem');
    expect(inputStorageType(b!, r.config!.service.storage)).toBe('memory');
    writeFileSync(cfg, `[INPUT]\n    name stdin\n    storage.type filesystem\n\n[OUTPUT]\n    name null\n    match *\n`);
    const bad = loadConfig(cfg, { env: {} });
    expect(() => inputStorageType(bad.config!.inputs[0]!, bad.config!.service.storage)).toThrow(/storage.type filesystem needs a folder/);
  });

  it('storage.keep.rejected: a chunk whose retries ran out is moved to storage.rejected.path, not deleted', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-st-'));
    const { runner } = setup(root, { rejectedDir: join(root, 'rejected') }, async () => ({ status: 'retry', reason: 'down' }));
    (runner as unknown as { o: { retryLimit: number } }).o.retryLimit = 1;
    runner.append('app', encodeEvents(ev(0, 5)).batch, new Receipt(), null, true);
    await runner.drain();
    expect(chunkFiles(root)).toEqual([]);
    const kept = readdirSync(join(root, 'rejected'));
    expect(kept).toHaveLength(1);
    const back = readChunkFile(kept[0]!, readFileSync(join(root, 'rejected', kept[0]!)));
    expect(back.ok && back.data.count).toBe(5);
  });
});

describe('storage.type memrb', () => {
  it('drops the oldest waiting chunks its input pays for (counted, logged), never the one being sent', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-st-'));
    const owner = { held: 0, charge(b: number) { this.held += b; } };
    const sent: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { runner, dropped, lines } = setup(root, {}, async (c) => (sent.push(nums(c)), await gate, { status: 'ok' }));
    let one = 0;
    for (let i = 0; i < 5; i++) {
      runner.append('app', encodeEvents(ev(i * 10, 10)).batch, new Receipt(), owner);
      runner.tick();
      if (i === 2) one = owner.held; // three chunks' worth
    }
    runner.shed(owner as never, () => owner.held <= one);
    expect(dropped()).toBe(20); // chunks 1 and 2 (chunk 0 is being sent)
    expect(lines.join('')).toMatch(/storage.type memrb/);
    release();
    await runner.drain();
    expect(sent.flat()).toEqual([...range(0, 10), ...range(30, 20)]);
  });
});

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('filesystem storage: chunk files', () => {
  it('stores a durable batch before the receipt would wait for delivery, and reads every record back byte for byte', () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-st-'));
    const { runner, store } = setup(root);
    const r = new Receipt();
    expect(runner.append('app', encodeEvents(ev(0, 3)).batch, r, null, true)).toBe(true);
    expect(runner.append('app', encodeEvents(ev(3, 2)).batch, r, null, true)).toBe(true);
    const [file] = chunkFiles(root);
    const back = readChunkFile(file!, readFileSync(file!));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.header.tag).toBe('app');
    expect(back.truncated).toBe(false);
    expect(back.data.toEvents()).toEqual(ev(0, 5));
    expect(store.chunksOnDisk).toBe(1);
    expect(store.bytesOnDisk).toBe(readFileSync(file!).length);
  });

  it('a torn last frame (a crash mid-write) is cut off; a flipped byte is caught by the checksum and the file quarantined, the rest of the backlog goes on', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-st-'));
    {
      const { runner } = setup(root);
      runner.append('a', encodeEvents(ev(0, 4)).batch, new Receipt(), null, true);
      runner.append('a', encodeEvents(ev(4, 4)).batch, new Receipt(), null, true);
      runner.tick(); // seals chunk 1 (file closed)
      runner.append('b', encodeEvents(ev(100, 3)).batch, new Receipt(), null, true);
      runner.append('c', encodeEvents(ev(200, 3)).batch, new Receipt(), null, true);
      runner.abandon('test: killed');
    }
    const files = chunkFiles(root).sort();
    expect(files).toHaveLength(3);
    // a: the second frame torn
    truncateSync(files[0]!, readFileSync(files[0]!).length - 7);
    // b: one byte of a record changed on disk
    const b = readFileSync(files[1]!);
    b[b.length - 5] ^= 0x20;
    writeFileSync(files[1]!, b);
    const delivered: number[] = [];
    const { runner, metrics, lines } = setup(root, {}, async (c) => (delivered.push(...nums(c)), { status: 'ok' }));
    expect(runner.loadBacklog()).toBe(3);
    await runner.drain();
    expect(delivered).toEqual([0, 1, 2, 3, 200, 201, 202]);
    expect(metrics.get('storage_chunks_quarantined')).toBe(1);
    expect(readdirSync(join(root, 'quarantine'))).toEqual([`http.0-${files[1]!.split('/').pop()}`]);
    expect(chunkFiles(root)).toEqual([]);
    expect(lines.join('')).toMatch(/checksum mismatch.*moved to the quarantine folder/);
    expect(lines.join('')).toMatch(/partial write/);
  });

  it('a delivered chunk’s files are deleted; chunks given up at shutdown stay on disk and are delivered first after a restart', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-st-'));
    let up = false;
    const first = setup(root, {}, async () => (up ? { status: 'ok' } : { status: 'retry', reason: 'connection refused' }));
    for (let i = 0; i < 5; i++) {
      first.runner.append('app', encodeEvents(ev(i * 10, 10)).batch, new Receipt(), null, true);
      first.runner.tick();
    }
    await new Promise((r) => setTimeout(r, 30));
    expect(first.runner.abandon('grace expired')).toBe(0); // nothing lost: all on disk
    expect(first.dropped()).toBe(0);
    expect(chunkFiles(root)).toHaveLength(5);
    up = true;
    const got: number[] = [];
    const second = setup(root, {}, async (c) => (got.push(...nums(c)), { status: 'ok' }));
    expect(second.runner.loadBacklog()).toBe(5);
    await second.runner.drain();
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(chunkFiles(root)).toEqual([]);
    expect(second.store.bytesOnDisk).toBe(0);
    expect(second.store.chunksOnDisk).toBe(0);
  });

  it('storage.max_chunks_up: chunks beyond it wait on disk only and are read back when their turn comes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-st-'));
    let open = false;
    const got: number[] = [];
    const { runner, metrics } = setup(root, { maxChunksUp: 2 }, async (c) => {
      if (!open) return { status: 'retry', reason: 'down' };
      got.push(...nums(c));
      return { status: 'ok' };
    });
    for (let i = 0; i < 6; i++) {
      runner.append('app', encodeEvents(ev(i * 10, 10)).batch, new Receipt(), null, true);
      runner.tick();
    }
    // at most two chunks' records in memory
    expect(metrics.get('buffered_bytes')).toBeLessThan(3 * eventData(ev(0, 10)).bytes);
    expect(metrics.get('buffered_records')).toBe(60);
    open = true;
    await runner.drain();
    expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(metrics.get('buffered_records')).toBe(0);
    expect(chunkFiles(root)).toEqual([]);
  });

  it('storage.backlog.mem_limit: waiting on-disk chunks beyond that many bytes wait on disk only (an outage costs disk, not memory)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-st-'));
    let open = false;
    const got: number[] = [];
    const one = eventData(ev(0, 10)).bytes;
    const { runner, metrics } = setup(root, { waitingBytesUp: Math.floor(one * 2.5) }, async (c) => {
      if (!open) return { status: 'retry', reason: 'down' };
      got.push(...nums(c));
      return { status: 'ok' };
    });
    for (let i = 0; i < 20; i++) {
      runner.append('app', encodeEvents(ev(i * 10, 10)).batch, new Receipt(), null, true);
      runner.tick();
      await new Promise((r) => setImmediate(r));
    }
    // in memory: the one being sent (or backing off) and at most 2.5 chunks' worth of the waiting ones
    expect(metrics.get('buffered_bytes')).toBeLessThan(4 * one);
    expect(runner.chunkCounts().down).toBeGreaterThan(15);
    open = true;
    await runner.drain();
    expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('storage.total_limit_size: the oldest waiting chunks are dropped, counted and named in the log', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-st-'));
    // each chunk file holds 10 records: about 500 bytes; the limit is 3.5 of them
    const limit = 1750;
    const { runner, store, lines, dropped } = setup(root, { totalLimitSize: limit }, async () => ({ status: 'retry', reason: 'down' }));
    const first: string[] = [];
    for (let i = 0; i < 6; i++) {
      runner.append('app', encodeEvents(ev(i * 10, 10)).batch, new Receipt(), null, true);
      if (i === 0) first.push(...chunkFiles(root));
      runner.tick();
      await new Promise((r) => setImmediate(r)); // its flush fails: it waits out a backoff
    }
    expect(readFileSync(first[0]!.replace(/.*/, chunkFiles(root)[0]!)).length).toBeGreaterThan(400);
    expect(store.bytesOnDisk).toBeLessThanOrEqual(limit);
    expect(dropped()).toBeGreaterThanOrEqual(10);
    expect(existsSync(first[0]!)).toBe(false);
    expect(lines.join('')).toContain(`storage.total_limit_size`);
    expect(lines.join('')).toContain(first[0]!.split('/').pop()!);
    runner.abandon('end');
  });

  it('a folder that refuses writes: the batch stays a memory batch (its receipt held until delivered), the storage reports blocked once, and unblocks when writes work', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-st-'));
    const { runner, disk, blocked, lines } = setup(root);
    const dir = join(root, 'http.0');
    // the folder disappears under Wren and a file takes its name: every create fails
    const { rmSync } = await import('node:fs');
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a folder');
    let done = 0;
    const r = new Receipt(() => done++);
    expect(runner.append('app', encodeEvents(ev(0, 3)).batch, r, null, true)).toBe(false);
    r.release();
    expect(done).toBe(0); // not stored: waits for delivery
    expect(blocked()).toBe(1);
    expect(runner.diskBlocked).toBe(true);
    expect(lines.filter((l) => l.includes('cannot write chunk files')).length).toBe(1);
    rmSync(dir);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    // the probe is due after the retry period
    (disk as unknown as { retryAt: number }).retryAt = 0;
    runner.probeDisk();
    expect(blocked()).toBe(0);
    await runner.drain();
    expect(done).toBe(1);
  });
});
