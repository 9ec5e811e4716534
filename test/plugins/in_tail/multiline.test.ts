import { appendFileSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep, until } from './fake-context.js';
import { useTailHarness } from './harness.js';

const SAMPLES = resolve(import.meta.dirname, '../../../examples/logs');
const sample = (prefix: string) => join(SAMPLES, readdirSync(SAMPLES).find((f) => f.startsWith(prefix))!);

const tail = useTailHarness();
const run = (options: Record<string, string>, tag = 'kube.*') => tail.run({ 'multiline.parser': 'docker, cri', ...options }, { tag });

describe('tail multiline.parser docker, cri on the sample container logs', () => {
  it('rejoins the CRI sample: 16 KiB P+F, interleaved stderr parts, own timestamps, stream kept', async () => {
    const path = sample('checkout-');
    const e = await run({ path, exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    const raw = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    const recs = e.received.map((r) => r.event.record);
    expect(recs).toHaveLength(11); // 13 lines, 2 of them P parts
    for (const r of recs) expect(Object.keys(r)).toEqual(['time', 'stream', 'log']);
    // every stdout record's log is one JSON document again
    const big = recs.find((r) => String(r.log).includes('cart snapshot'))!;
    expect(JSON.parse(big.log as string).items).toHaveLength(260);
    const firstBigLine = raw.find((l) => l.includes(' stdout P '))!;
    expect(big.time).toBe(firstBigLine.slice(0, firstBigLine.indexOf(' ')));
    const declined = recs.find((r) => String(r.log).includes('payment declined'))!;
    expect(declined.stream).toBe('stderr');
    expect(JSON.parse(declined.log as string)).toMatchObject({ level: 'error', order: 'o-5512' });
    // event time = the line's time, µs kept; tag from the file name
    const t0 = raw[0]!.slice(0, raw[0]!.indexOf(' '));
    expect(e.received[0]!.event.time).toBeCloseTo(Date.parse(t0) + Number(`0.${t0.slice(23, 29)}`), 3);
    expect(e.received[0]!.tag).toBe(`kube.${path.slice(1).replaceAll('/', '.')}`);
  });

  it('rejoins the docker sample: a 24 KB message split at 16 KiB, trailing newline dropped, attrs kept', async () => {
    const path = sample('legacy-api-');
    const e = await run({ path, exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    const recs = e.received.map((r) => r.event.record);
    expect(recs).toHaveLength(7);
    const report = recs.find((r) => String(r.log).startsWith('export report'))!;
    expect((report.log as string).length).toBeGreaterThan(24000);
    expect(report.log).not.toMatch(/\n/);
    expect(recs[3]).toMatchObject({ log: 'Error: connect ECONNREFUSED 10.0.3.7:6379', stream: 'stderr' });
    expect(recs[6]).toMatchObject({ log: 'POST /api/export 202 1204ms', attrs: { 'io.kubernetes.container.name': 'api' } });
    expect(typeof recs[0]!.time).toBe('string');
    expect(e.received[0]!.event.time).toBeCloseTo(Date.parse(recs[0]!.time as string), -1);
  });

  it('reads all three samples by one glob, each with its own tag', async () => {
    const e = await run({ path: join(SAMPLES, '*.log'), exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    expect(e.received).toHaveLength(11 + 7 + 13);
    expect(new Set(e.received.map((r) => r.tag)).size).toBe(3);
  });
});

describe('tail multiline edge cases', () => {
  it('a P line whose F never comes is emitted after multiline.flush', async () => {
    const path = join(tail.dir, 'c.log');
    writeFileSync(path, '2025-01-01T00:00:00.5Z stdout P half a line\n');
    const e = await run({ path, 'multiline.flush': '150ms' });
    await sleep(50);
    expect(e.received).toHaveLength(0);
    await until(() => e.received.length === 1, 2000);
    expect(e.received[0]!.event).toEqual({ time: Date.parse('2025-01-01T00:00:00.5Z'), record: { time: '2025-01-01T00:00:00.5Z', stream: 'stdout', log: 'half a line' } });
  });

  it('keeps joining across reads, and a line of neither format passes as text after what was pending', async () => {
    const path = join(tail.dir, 'c.log');
    writeFileSync(path, '');
    const e = await run({ path, 'multiline.flush': '10s' });
    appendFileSync(path, '2025-01-01T00:00:00Z stdout P a');
    await sleep(80);
    appendFileSync(path, 'b\n2025-01-01T00:00:01Z stdout P c\n');
    await sleep(80);
    appendFileSync(path, '2025-01-01T00:00:02Z stdout F d\nnot a container line\n');
    await until(() => e.received.length === 2);
    expect(e.lines()).toEqual(['abcd', 'not a container line']);
    expect(e.received[0]!.event.time).toBe(Date.parse('2025-01-01T00:00:00Z'));
    appendFileSync(path, '{"log":"x","stream":"stdout","time":"2025-01-01T00:00:03Z"}\nplain\n');
    await until(() => e.received.length === 4);
    expect(e.lines().slice(2)).toEqual(['x', 'plain']);
  });

  it('docker with only cri configured is plain text', async () => {
    const path = join(tail.dir, 'd.log');
    writeFileSync(path, '{"log":"x\\n","stream":"stdout","time":"2025-01-01T00:00:03Z"}\n');
    const e = await run({ path, 'multiline.parser': 'cri', exit_on_eof: 'on' });
    await until(() => e.doneCalls === 1);
    expect(e.lines()).toEqual(['{"log":"x\\n","stream":"stdout","time":"2025-01-01T00:00:03Z"}']);
  });

  it('copies of the sample under kubelet names work from a temp folder too', async () => {
    const src = sample('web-');
    copyFileSync(src, join(tail.dir, 'w.log'));
    const e = await run({ path: join(tail.dir, 'w.log'), exit_on_eof: 'on', path_key: 'file' });
    await until(() => e.doneCalls === 1);
    expect(e.received).toHaveLength(13);
    expect(e.received.filter((r) => r.event.record.stream === 'stderr')).toHaveLength(1);
    expect(e.received[0]!.event.record.file).toBe(join(tail.dir, 'w.log'));
  });
});
