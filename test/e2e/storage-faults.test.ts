import { FluentClient } from '@fluent-org/logger';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startWren, tempDir, writeConfig, type WrenProcess } from '../helpers/cli.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';
import { until } from '../helpers/until.js';

/**
 * The fault suite for filesystem buffering (storage.type filesystem): every record numbered, a
 * loopback sink that records every number, Wren killed (-9) or stopped (SIGTERM) while the
 * destination is down, then started again on the same storage.path. Lost must be 0 for every
 * record acknowledged to a client (or read from stdin before the kill); duplicated at most what
 * was in flight at a kill.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const waitFor = (cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> => until(cond, ms, what, 25);

/** A sink that answers 503 while `down`, else records every number it is sent. */
async function numberSink(): Promise<{ server: RecordingServer; nums: number[]; state: { down: boolean; refused?: boolean } }> {
  const state = { down: true };
  const nums: number[] = [];
  const server = await startRecordingServer((req, res) => {
    if (state.down) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
    for (const line of req.body.toString().split('\n')) if (line) nums.push((JSON.parse(line) as { n: number }).n);
    res.writeHead(200).end('ok');
  });
  return { server, nums, state };
}

function report(nums: number[], expected: Iterable<number>): { lost: number[]; duplicated: number } {
  const seen = new Set(nums);
  const lost = [...expected].filter((n) => !seen.has(n));
  return { lost, duplicated: nums.length - seen.size };
}

function config(storage: string, input: string, sinkPort: number, extra = ''): string {
  return writeConfig(`service:
  flush: 100ms
  grace: 2
  scheduler.base: 50ms
  scheduler.cap: 300ms
  storage.path: ${storage}
  storage.metrics: on
${extra}pipeline:
  inputs:
${input}
  outputs:
    - name: http
      match: '*'
      host: 127.0.0.1
      port: ${sinkPort}
      format: json_lines
      json_date_key: false
`);
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

async function storageApi(port: number): Promise<{ storage_layer: { chunks: Record<string, number> }; output_chunks: Record<string, { files: Record<string, number> }> }> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/storage`);
  return (await r.json()) as never;
}

/** POST numbered records to the http input until each batch is acknowledged (201), as a client with retries does. */
async function postUntilAcked(port: number, batch: number[], stop: () => boolean): Promise<boolean> {
  const body = JSON.stringify(batch.map((n) => ({ n, msg: `record ${n}` })));
  while (!stop()) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/app`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.status === 201) return true;
    } catch {
      // Wren is down (killed) or slow: try again
    }
    await sleep(50);
  }
  return false;
}

describe('filesystem buffering: nothing acknowledged is lost to a crash', { timeout: 60_000 }, () => {
  it('http input: kill -9 three times while a client posts and the destination is down, then up; every acknowledged record arrives', async () => {
    const sink = await numberSink();
    const storage = tempDir('wren-storage-');
    const inPort = await freePort();
    const file = config(storage, `    - name: http
      listen: 127.0.0.1
      port: ${inPort}
      storage.type: filesystem`, sink.server.port);
    let w: WrenProcess = startWren(['run', '-c', file]);
    const acked: number[] = [];
    let stopClient = false;
    const client = (async () => {
      for (let b = 0; !stopClient; b++) {
        const batch = range(b * 50, 50);
        if (await postUntilAcked(inPort, batch, () => stopClient)) acked.push(...batch);
      }
    })();
    try {
      for (let kill = 0; kill < 3; kill++) {
        await waitFor(() => acked.length >= (kill + 1) * 1000, `acks before kill ${kill + 1}`);
        if (kill === 2) sink.state.down = false; // the last kill lands while delivering
        w.kill('SIGKILL');
        await w.exited;
        w = startWren(['run', '-c', file]);
      }
      await waitFor(() => acked.length >= 4500, 'acks after the last restart');
      stopClient = true;
      await client;
      sink.state.down = false;
      await waitFor(() => report(sink.nums, acked).lost.length === 0, 'every acknowledged record at the sink', 30_000);
      const r = report(sink.nums, acked);
      expect(r.lost).toEqual([]);
      // duplicates: at most what was being delivered at the one kill that landed while the sink was up
      expect(r.duplicated).toBeLessThanOrEqual(3000);
      // once delivered, the chunk files are gone
      await waitFor(() => readdirSync(join(storage, 'http.0')).filter((n) => n.endsWith('.chunk')).length === 0, 'chunk files deleted');
      w.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    } finally {
      stopClient = true;
      w.kill('SIGKILL');
      await sink.server.close();
    }
  });

  it('tail with a db and filesystem storage: kill -9 during an outage, then the backlog and the rest of the file arrive, none twice', async () => {
    const sink = await numberSink();
    const storage = tempDir('wren-storage-');
    const logDir = tempDir('wren-taillog-');
    const log = join(logDir, 'app.log');
    writeFileSync(log, range(0, 3000).map((n) => JSON.stringify({ n })).join('\n') + '\n');
    const file = config(storage, `    - name: tail
      path: ${log}
      read_from_head: on
      db: ${join(logDir, 'tail.db')}
      parser: json
      storage.type: filesystem`, sink.server.port);
    let w = startWren(['run', '-c', file]);
    try {
      // the whole file stored (the tail's offsets move on once its chunks are written), none delivered
      await waitFor(() => w.logs().some((l) => /will retry/.test(String(l.msg))), 'a failed flush');
      await sleep(1500); // the db commits what was stored
      w.kill('SIGKILL');
      await w.exited;
      appendFileSync(log, range(3000, 2000).map((n) => JSON.stringify({ n })).join('\n') + '\n');
      sink.state.down = false;
      w = startWren(['run', '-c', file]);
      await waitFor(() => report(sink.nums, range(0, 5000)).lost.length === 0, 'every line', 30_000);
      await sleep(500);
      // delivered from the chunk files (the backlog) and not read again from the file: no duplicates
      expect((await w.waitForLog(/chunks left in storage.path/)).chunks).toBeGreaterThan(0);
      expect(report(sink.nums, range(0, 5000))).toEqual({ lost: [], duplicated: 0 });
      w.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    } finally {
      w.kill('SIGKILL');
      await sink.server.close();
    }
  });

  it('forward input: acks are sent once records are on disk; kill -9 during an outage loses none of them', async () => {
    const sink = await numberSink();
    const storage = tempDir('wren-storage-');
    const port = await freePort();
    const file = config(storage, `    - name: forward
      listen: 127.0.0.1
      port: ${port}
      storage.type: filesystem`, sink.server.port);
    let w = startWren(['run', '-c', file]);
    try {
      await w.waitForLog(/wren started/, 15_000);
      const client = new FluentClient('app', {
        socket: { host: '127.0.0.1', port, timeout: 10_000 },
        ack: { ackTimeout: 10_000 }, eventMode: 'PackedForward', flushInterval: 5,
      });
      await Promise.all(range(0, 3000).map((n) => client.emit({ n, msg: `fwd ${n}` })));
      await client.disconnect();
      expect(sink.nums).toEqual([]); // the destination is down: the acks came from the disk
      w.kill('SIGKILL');
      await w.exited;
      sink.state.down = false;
      w = startWren(['run', '-c', file]);
      await waitFor(() => report(sink.nums, range(0, 3000)).lost.length === 0, 'every acknowledged record', 30_000);
      expect(report(sink.nums, range(0, 3000))).toEqual({ lost: [], duplicated: 0 });
      const log = await w.waitForLog(/chunks left in storage.path/);
      expect(log.chunks).toBeGreaterThan(0);
      w.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    } finally {
      w.kill('SIGKILL');
      await sink.server.close();
    }
  });

  it('stdin: SIGTERM while the destination is down keeps what was read in its chunk files (exit within grace); a chunk corrupted on disk is quarantined; the restart delivers the rest', async () => {
    const sink = await numberSink();
    const storage = tempDir('wren-storage-');
    const api = await freePort();
    // ~3 MB: more than one chunk (2 MB each), so more than one chunk file
    const pad = 'p'.repeat(600);
    const lines = range(0, 5000).map((n) => JSON.stringify({ n, msg: `stdin ${n}`, pad })).join('\n') + '\n';
    const input = `    - name: stdin
      storage.type: filesystem`;
    const extra = `  http_server: on\n  http_listen: 127.0.0.1\n  http_port: ${api}\n`;
    const file = config(storage, input, sink.server.port, extra);
    const w = startWren(['run', '-c', file], { stdin: lines });
    await waitFor(async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${api}/api/v1/metrics`);
        const m = (await r.json()) as { input: Record<string, { records: number }> };
        return m.input['stdin.0']?.records === 5000;
      } catch {
        return false;
      }
    }, 'stdin read');
    const s = await storageApi(api);
    expect(s.storage_layer.chunks.fs_chunks).toBeGreaterThan(0);
    expect(s.output_chunks['http.0']!.files.bytes).toBeGreaterThan(5000 * 20);
    const started = Date.now();
    w.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(w.logs().some((l) => /kept in their chunk files/.test(String(l.msg)))).toBe(true);
    expect(w.logs().some((l) => /not delivered:/.test(String(l.msg)))).toBe(false);

    // a bad sector in one chunk file: a byte flipped in its last record
    const dir = join(storage, 'http.0');
    const files = readdirSync(dir).filter((n) => n.endsWith('.chunk')).sort();
    expect(files.length).toBeGreaterThan(1);
    const victim = join(dir, files[files.length - 1]!);
    const bytes = readFileSync(victim);
    bytes[bytes.length - 3] ^= 0x01;
    writeFileSync(victim, bytes);

    sink.state.down = false;
    const again = startWren(['run', '-c', file], { stdin: '' });
    try {
      expect(await again.exited).toBe(0);
      const r = report(sink.nums, range(0, 5000));
      expect(r.duplicated).toBe(0);
      expect(r.lost.length).toBeGreaterThan(0); // the quarantined chunk's records, and only those
      expect(r.lost.length).toBeLessThan(5000 / 2);
      expect(readdirSync(join(storage, 'quarantine'))).toHaveLength(1);
      const errors = again.logs().filter((l) => /moved to the quarantine folder/.test(String(l.msg)));
      expect(errors).toHaveLength(1);
      expect(readdirSync(dir).filter((n) => n.endsWith('.chunk'))).toEqual([]);
    } finally {
      again.kill('SIGKILL');
      await sink.server.close();
    }
  });

  it('after an outage (503s) the backlog drains within a few flush intervals of the destination coming back', async () => {
    const sink = await numberSink();
    const storage = tempDir('wren-storage-');
    const inPort = await freePort();
    // default scheduler (base 5 s, cap 2000 s): the drain must not wait out each chunk's backoff
    const file = writeConfig(`service:
  flush: 200ms
  storage.path: ${storage}
pipeline:
  inputs:
    - name: http
      listen: 127.0.0.1
      port: ${inPort}
      storage.type: filesystem
  outputs:
    - name: http
      match: '*'
      host: 127.0.0.1
      port: ${sink.server.port}
      format: json_lines
`);
    const w = startWren(['run', '-c', file]);
    try {
      await w.waitForLog(/wren started/, 15_000);
      const acked: number[] = [];
      for (let b = 0; b < 40; b++) {
        const batch = range(b * 100, 100);
        if (await postUntilAcked(inPort, batch, () => false)) acked.push(...batch);
        if (b === 20) await sleep(1500); // chunks back off for a while, some several times
      }
      expect(acked).toHaveLength(4000);
      await w.waitForLog(/will retry/);
      await sleep(2000);
      sink.state.down = false;
      const back = Date.now();
      // the next new record brings the first success; then everything waiting goes
      await postUntilAcked(inPort, [99_999], () => false);
      await waitFor(() => report(sink.nums, acked).lost.length === 0, 'the backlog drained', 30_000);
      const drainMs = Date.now() - back;
      expect(drainMs).toBeLessThan(5000); // before the fix: 82-84 s (each chunk waited out its own backoff)
      w.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    } finally {
      w.kill('SIGKILL');
      await sink.server.close();
    }
  });
});
