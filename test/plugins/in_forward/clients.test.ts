import { FluentClient, EventTime } from '@fluent-org/logger';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { startForward, waitFor, type ForwardHarness } from './harness.js';

const require = createRequire(import.meta.url);
// fluent-logger (the older client, msgpack-lite underneath) is CommonJS only
const fluentLogger = require('fluent-logger') as {
  createFluentSender(tag: string, opts: Record<string, unknown>): {
    emit(label: string, record: Record<string, unknown>, time?: number, cb?: (err?: Error) => void): void;
    end(label?: string, record?: unknown, cb?: () => void): void;
    on(ev: string, fn: (err: Error) => void): void;
  };
};

let h: ForwardHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const MODES = ['Message', 'Forward', 'PackedForward', 'CompressedPackedForward'] as const;

describe('forward input with real clients from npm', () => {
  for (const mode of MODES) {
    it(`@fluent-org/logger, ${mode} mode, with acks: every record once, EventTime kept`, async () => {
      h = await startForward();
      const client = new FluentClient('app', {
        socket: { host: '127.0.0.1', port: h.port, timeout: 5000 },
        eventMode: mode,
        ack: { ackTimeout: 5000 },
        milliseconds: true,
        flushInterval: 5,
      });
      const sent: Array<Promise<void>> = [];
      for (let i = 0; i < 300; i++) {
        sent.push(client.emit('web', { n: i, msg: `hello ${i}`, nested: { ok: true } }, new EventTime(1710406800 + i, 123_456_789)));
      }
      await Promise.all(sent); // every emit resolved: each one was acknowledged
      await client.disconnect();
      const got = h.records();
      expect(got.map((r) => r.n)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(got[7]).toEqual({ n: 7, msg: 'hello 7', nested: { ok: true } });
      const ev = h.events()[5]!;
      expect(ev.time).toBeCloseTo((1710406805 * 1e9 + 123_456_789) / 1e6, 3);
      expect(new Set(h.emitted.map((e) => e.tag))).toEqual(new Set(['app.web']));
      expect(h.ctx.counters.get('acks')).toBeGreaterThan(0);
    });
  }

  it('fluent-logger (msgpack-lite), PackedForward and Message modes with requireAckResponse, integer times', async () => {
    h = await startForward([['tag_prefix', 'fwd.']]);
    for (const eventMode of ['PackedForward', 'Message', 'CompressedPackedForward']) {
      const sender = fluentLogger.createFluentSender('legacy', {
        host: '127.0.0.1', port: h.port, timeout: 3.0, requireAckResponse: true, eventMode, flushInterval: 5,
      });
      sender.on('error', (err) => { throw err; });
      await Promise.all(Array.from({ length: 50 }, (_, i) => new Promise<void>((ok, fail) =>
        sender.emit('svc', { mode: eventMode, i }, 1710406800 + i, (err) => (err ? fail(err) : ok())))));
      await new Promise<void>((r) => sender.end(undefined, undefined, r));
    }
    await waitFor(() => h!.records().length === 150, '150 records');
    const got = h.records();
    for (const m of ['PackedForward', 'Message', 'CompressedPackedForward']) {
      expect(got.filter((r) => r.mode === m).map((r) => r.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
    expect(h.events().find((e) => e.record.i === 3)!.time).toBe(1710406803000);
    expect(new Set(h.emitted.map((e) => e.tag))).toEqual(new Set(['fwd.legacy.svc']));
  });
});
