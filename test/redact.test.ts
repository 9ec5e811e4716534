import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { addSecret, addUrlSecrets, clearSecrets, excerpt, redact, redactingStream } from '../src/redact.js';
import { createLogger } from '../src/log.js';
import { loadConfig } from '../src/config/load.js';
import { writeConfig } from './helpers/cli.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE' + 'Ab3/+Cd9'.repeat(30);
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLWV4YW1wbGU';

afterEach(() => clearSecrets());

describe('redact', () => {
  it('masks AWS secret keys, session tokens, JWTs and key ids wherever they appear', () => {
    const out = redact(`key ${SECRET} token ${TOKEN} jwt ${JWT} id AKIAIOSFODNN7EXAMPLE`);
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain(TOKEN.slice(30, 60));
    expect(out).not.toContain('c2lnbmF0dXJlLWV4YW1wbGU');
    expect(out).toContain('AKIA************MPLE');
  });

  it('masks values after secret names in headers, JSON, XML and forms', () => {
    const body = [
      'Authorization: Bearer abc.def-123',
      '"SecretAccessKey":"s3cr3t\\"x"',
      '<SessionToken>tok-tok-tok</SessionToken>',
      'Action=AssumeRoleWithWebIdentity&WebIdentityToken=my-identity-token&RoleArn=arn',
      'authorization=Basic dXNlcjpwYXNz',
      'x-api-key: k-123456',
      'password=hunter22',
    ].join('\n');
    const out = redact(body);
    for (const s of ['abc.def-123', 's3cr3t', 'tok-tok-tok', 'my-identity-token', 'dXNlcjpwYXNz', 'k-123456', 'hunter22']) expect(out).not.toContain(s);
    expect(out).toContain('Authorization: Bearer ***');
    expect(out).toContain('RoleArn=arn');
  });

  it('masks URL passwords (even holding a /) and query values', () => {
    expect(redact("proxy 'http://user:pa/ss@proxy.local:3128' is bad")).toBe("proxy 'http://user:***@proxy.local:3128' is bad");
    expect(redact('http://169.254.170.23/v1/credentials?token=abc&x=1')).toBe('http://169.254.170.23/v1/credentials?token=***&x=***');
    expect(redact('https://tok@host/p')).toBe('https://***@host/p');
  });

  it('masks the secrets it was told, in every form', () => {
    addSecret('my pass"word/ü');
    const out = redact(`a my pass"word/ü b ${JSON.stringify('my pass"word/ü')} c ${encodeURIComponent('my pass"word/ü')}`);
    expect(out).toBe('a *** b "***" c ***');
    addUrlSecrets('http://u:p%2Fw0rd@h:1');
    expect(redact('p/w0rd and p%2Fw0rd')).toBe('*** and ***');
  });

  it("registers a configuration's secrets before anything prints: forward's 'USER PASSWORD' pairs mask the password alone too", () => {
    const file = writeConfig(`pipeline:
  inputs:
    - name: forward
      shared_key: Shared-k3y-77
      security.users:
        - alice Al1ce-Passw0rd
  outputs:
    - name: null
      match: '*'
`);
    loadConfig(file, { env: {} });
    expect(redact('bad password Al1ce-Passw0rd from alice, key Shared-k3y-77')).toBe('bad password *** from alice, key ***');
  });

  it('leaves ordinary text alone', () => {
    const t = 'GET /var/log/containers/app-7d9f8c-abcde_default_app-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log 200 nextSequenceToken ok';
    expect(redact(t)).toBe(t);
  });

  it('caps excerpts after redacting', () => {
    const e = excerpt(`Authorization: Bearer ${'x'.repeat(50)} ${'y'.repeat(5000)}`, 100);
    expect(e.length).toBeLessThanOrEqual(101);
    expect(e).not.toContain('xxxxx');
  });

  it('applies to log lines and to command output streams', () => {
    addSecret('configured-secret-1');
    let logged = '';
    const sink = new Writable({ write(c, _e, cb) { logged += String(c); cb(); } });
    const log = createLogger('info', sink);
    log.info({ detail: { nested: 'configured-secret-1' } }, `answer: {"Token":"${TOKEN}"} ${SECRET}`);
    log.error(new Error('Authorization: Bearer zzz-secret'));
    expect(logged).not.toMatch(/configured-secret-1|zzz-secret|EXAMPLEKEY|IQoJb3JpZ2lu/);
    expect(() => logged.trim().split('\n').map((l) => JSON.parse(l) as unknown)).not.toThrow();
    let printed = '';
    const out = redactingStream(new Writable({ write(c, _e, cb) { printed += String(c); cb(); } }));
    out.write('header=Authorization: configured-secret-1\n');
    expect(printed).toBe('header=Authorization: ***\n');
  });
});
