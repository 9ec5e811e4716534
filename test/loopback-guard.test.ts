import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { connectTarget, isLoopbackHost } from './helpers/loopback-guard.mjs';

describe('the test loopback guard', () => {
  it('is installed in every test process (test/setup.ts)', () => {
    expect(net.Socket.prototype.connect.name).toBe('guarded');
  });

  it('lets loopback through and nothing else: metadata addresses, private ranges, names', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['169.254.169.254', '169.254.170.2', '169.254.170.23', 'fd00:ec2::254', 'fd00:ec2::23', '10.0.0.5', 'example.com', '::ffff:10.0.0.1', '0.0.0.0']) {
      expect(isLoopbackHost(h)).toBe(false);
    }
  });

  it('reads the host from every form of Socket#connect', () => {
    expect(connectTarget([{ host: '169.254.169.254', port: 80 }])).toBe('169.254.169.254');
    expect(connectTarget([[{ host: 'fd00:ec2::254', port: 80 }, null]])).toBe('fd00:ec2::254');
    expect(connectTarget([{ port: 80 }])).toBe('localhost');
    expect(connectTarget([80, '10.0.0.5'])).toBe('10.0.0.5');
    expect(connectTarget([80])).toBe('localhost');
    expect(connectTarget([{ path: '/tmp/wren.sock' }])).toBeUndefined();
    expect(connectTarget(['/tmp/wren.sock'])).toBeUndefined();
  });

  it('still connects to a loopback server', async () => {
    const server = net.createServer((s) => s.end('hi'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const got = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port });
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    server.close();
    expect(got).toBe('hi');
  });
});

describe('the loopback guard in CLI processes', () => {
  it('the preload that test/helpers/cli.ts passes to node --import installs it', () => {
    const preload = join(ROOT, 'test', 'helpers', 'loopback-guard-preload.mjs');
    const name = execFileSync(process.execPath, ['--import', preload, '-e', "process.stdout.write(require('node:net').Socket.prototype.connect.name)"], { encoding: 'utf8' });
    expect(name).toBe('guarded');
  });
});
