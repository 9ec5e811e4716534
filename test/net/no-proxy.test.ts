import { describe, expect, it } from 'vitest';
import { parseNoProxy } from '../../src/net/no-proxy.js';
import { ProxyResolver, parseProxyUrl, redactProxyUrl } from '../../src/net/proxy-env.js';

describe('NO_PROXY', () => {
  it('matches hosts and their subdomains, with or without a leading dot or star', () => {
    const np = parseNoProxy('example.com, .corp.local,*.svc.cluster.local');
    expect(np.bypass('example.com', 443)).toBe(true);
    expect(np.bypass('api.example.com', 443)).toBe(true);
    expect(np.bypass('badexample.com', 443)).toBe(false);
    expect(np.bypass('corp.local', 80)).toBe(true);
    expect(np.bypass('a.b.corp.local', 80)).toBe(true);
    expect(np.bypass('kube-dns.svc.cluster.local', 53)).toBe(true);
    expect(np.bypass('cluster.local', 53)).toBe(false);
    expect(np.bypass('EXAMPLE.COM.', 443)).toBe(true);
  });

  it('honours ports on names and addresses', () => {
    const np = parseNoProxy('internal:8080 10.1.2.3:9200 [::1]:9000');
    expect(np.bypass('internal', 8080)).toBe(true);
    expect(np.bypass('internal', 443)).toBe(false);
    expect(np.bypass('10.1.2.3', 9200)).toBe(true);
    expect(np.bypass('10.1.2.3', 443)).toBe(false);
    expect(np.bypass('[::1]', 9000)).toBe(true);
    expect(np.bypass('::1', 9001)).toBe(false);
  });

  it('matches IP literals and CIDR blocks (v4 and v6)', () => {
    const np = parseNoProxy('169.254.169.254,10.0.0.0/8,fd00:ec2::/32,::1');
    expect(np.bypass('169.254.169.254', 80)).toBe(true);
    expect(np.bypass('10.200.3.4', 443)).toBe(true);
    expect(np.bypass('11.0.0.1', 443)).toBe(false);
    expect(np.bypass('[fd00:ec2::254]', 80)).toBe(true);
    expect(np.bypass('[fd00:ec3::254]', 80)).toBe(false);
    expect(np.bypass('[::1]', 80)).toBe(true);
    expect(np.bypass('localhost', 80)).toBe(false);
  });

  it('`*` bypasses everything; empty bypasses nothing', () => {
    expect(parseNoProxy('*').bypass('anything.example', 1)).toBe(true);
    expect(parseNoProxy('').bypass('anything.example', 1)).toBe(false);
    expect(parseNoProxy(undefined).bypass('127.0.0.1', 1)).toBe(false);
  });
});

describe('proxy from the environment', () => {
  const u = (s: string) => new URL(s);

  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, either case, lower case first', () => {
    const r = new ProxyResolver({ env: { HTTPS_PROXY: 'http://s:1', http_proxy: 'p:2', HTTP_PROXY: 'http://ignored:3' } });
    expect(r.choose(u('https://search.example'))).toEqual({ direct: false, proxy: u('http://s:1') });
    expect(r.choose(u('http://plain.example'))).toEqual({ direct: false, proxy: u('http://p:2') });
  });

  it('sends https through HTTP_PROXY when HTTPS_PROXY is unset (as Fluent Bit)', () => {
    const r = new ProxyResolver({ env: { HTTP_PROXY: 'http://p:3128' } });
    expect(r.choose(u('https://logs.us-east-1.amazonaws.com'))).toEqual({ direct: false, proxy: u('http://p:3128') });
  });

  it('honours NO_PROXY per origin', () => {
    const r = new ProxyResolver({ env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.internal,10.0.0.0/8' } });
    expect(r.choose(u('https://es.internal'))).toEqual({ direct: true });
    expect(r.choose(u('https://10.2.3.4:9200'))).toEqual({ direct: true });
    expect(r.choose(u('https://es.example'))).toMatchObject({ direct: false });
  });

  it('an explicit proxy wins over the environment', () => {
    const r = new ProxyResolver({ proxy: 'https://user:pw@corp:8443', env: { HTTPS_PROXY: 'http://env:1', NO_PROXY: '*' } });
    expect(r.choose(u('https://x.example'))).toEqual({ direct: false, proxy: u('https://user:pw@corp:8443') });
  });

  it('no proxy configured: always direct', () => {
    expect(new ProxyResolver({ env: {} }).alwaysDirect).toBe(true);
  });

  it('rejects a socks proxy with a one-line fix, and never prints a password', () => {
    expect(() => parseProxyUrl('socks5://h:1', 'HTTPS_PROXY')).toThrow(/socks5:\/\/.*cannot use/);
    expect(redactProxyUrl(u('http://bob:secret@p:8080'))).toBe('http://bob:***@p:8080');
    try {
      new ProxyResolver({ proxy: 'http://bob:secret@[bad', env: {} });
      expect.unreachable();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('secret');
    }
  });
});
