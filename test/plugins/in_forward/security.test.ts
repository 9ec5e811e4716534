import { FluentClient } from '@fluent-org/logger';
import { connect } from 'node:net';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/cli.js';
import { makeTestCerts } from '../../helpers/tls-certs.js';
import { startForward, waitFor, type ForwardHarness } from './harness.js';

let h: ForwardHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function sendAll(client: FluentClient, n: number, label = 'x'): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => client.emit(label, { i })));
  await client.disconnect();
}

describe('forward input: handshake, TLS, unix socket', () => {
  it('shared_key and security.users: the right key and password get in (acked); a wrong key or password gets a refusing PONG', async () => {
    h = await startForward([['shared_key', 's3cret-key'], ['self_hostname', 'wren.test'], ['security.users', ['alice pa55word']]]);
    const good = new FluentClient('auth', {
      socket: { host: '127.0.0.1', port: h.port, timeout: 5000 },
      security: { clientHostname: 'client.test', sharedKey: 's3cret-key', username: 'alice', password: 'pa55word' },
      ack: { ackTimeout: 5000 }, eventMode: 'CompressedPackedForward', flushInterval: 5,
    });
    await sendAll(good, 100);
    expect(h.records().map((r) => r.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));

    for (const [security, reason] of [
      [{ clientHostname: 'c', sharedKey: 'wrong-key', username: 'alice', password: 'pa55word' }, 'shared key mismatch'],
      [{ clientHostname: 'c', sharedKey: 's3cret-key', username: 'alice', password: 'nope' }, 'username/password mismatch'],
    ] as const) {
      const bad = new FluentClient('auth', {
        socket: { host: '127.0.0.1', port: h.port, timeout: 2000, disableReconnect: true },
        security, ack: { ackTimeout: 1000 },
      });
      const errors: Error[] = [];
      bad.socketOn('error', (e: Error) => errors.push(e));
      await bad.connect().catch((e: Error) => errors.push(e));
      await waitFor(() => h!.ctx.logs.some((l) => String(l.msg).includes(reason)), `a log naming '${reason}'`);
      await bad.disconnect().catch(() => {});
    }
    expect(h.records()).toHaveLength(100);
    expect(h.ctx.counters.get('auth_failures')).toBe(2);
    // the shared key never reaches a log line
    expect(JSON.stringify(h.ctx.logs)).not.toContain('s3cret-key');
  });

  it('a client that sends events before authenticating is refused and nothing it sent is taken', async () => {
    h = await startForward([['shared_key', 'k']]);
    const s = connect(h.port, '127.0.0.1');
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    await new Promise((r) => s.once('connect', r));
    // ["tag", 1710406800, {"a":1}] sent without a PING
    s.write(Buffer.from([0x93, 0xa3, 0x74, 0x61, 0x67, 0xce, 0x65, 0xf2, 0xca, 0x10, 0x81, 0xa1, 0x61, 0x01]));
    await new Promise((r) => s.once('close', r));
    expect(Buffer.concat(got).includes(Buffer.from('HELO'))).toBe(true);
    expect(Buffer.concat(got).includes(Buffer.from('PONG'))).toBe(true);
    expect(h.records()).toHaveLength(0);
  });

  it('TLS with a CA made in the test: the client verifies the server and its records arrive', async () => {
    const certs = makeTestCerts(); // node:crypto keys, node-forge certificates: no openssl binary
    h = await startForward([['tls', 'on'], ['tls.crt_file', join(certs.dir, 'server.pem')], ['tls.key_file', join(certs.dir, 'server.key')], ['shared_key', 'tls-key']]);
    const client = new FluentClient('tls', {
      socket: { host: '127.0.0.1', port: h.port, timeout: 5000, tls: { ca: certs.caPem, servername: 'localhost' } },
      security: { clientHostname: 'c', sharedKey: 'tls-key' },
      ack: { ackTimeout: 5000 }, eventMode: 'PackedForward', flushInterval: 5,
    });
    await sendAll(client, 200);
    expect(h.records().map((r) => r.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // a client that does not trust the CA is refused by TLS itself
    const stranger = new FluentClient('tls', { socket: { host: '127.0.0.1', port: h.port, timeout: 2000, disableReconnect: true, tls: { servername: 'localhost' } } });
    await expect(stranger.connect()).rejects.toThrow();
  });

  it('a unix socket with unix_perm, replacing a stale socket file', async () => {
    const dir = tempDir('wren-fwd-unix-');
    const path = join(dir, 'fluent.sock');
    // a socket file left behind by an earlier process
    const stale = await startForward([['unix_path', path]]);
    await stale.stop();
    writeFileSync(join(dir, 'other'), 'x');
    h = await startForward([['unix_path', path], ['unix_perm', '0660']]);
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o660);
    const client = new FluentClient('unix', { socket: { path, timeout: 5000 }, ack: { ackTimeout: 5000 }, eventMode: 'Forward', flushInterval: 5 });
    await sendAll(client, 50, 'sock');
    expect(h.records()).toHaveLength(50);
    expect(h.emitted[0]!.tag).toBe('unix.sock');
    // a path that is a regular file is not removed
    await expect(startForward([['unix_path', join(dir, 'other')]])).rejects.toThrow(/not a socket/);
  });
});
