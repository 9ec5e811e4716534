import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runWren, startWren, tempDir, writeConfig } from '../helpers/cli.js';

/**
 * Every command, at log_level trace, with a secret in every place one can be: configuration
 * (passwords, keys, tokens, headers, proxy URLs), environment (keys, container token and URI,
 * web identity token file, proxy), and servers that echo the request (headers and body) in their
 * error answers. Nothing any command prints, serves or writes may hold one, in any form.
 */

const S = {
  bearer: 'Bearer-9f3c1e77aa01',
  apiKey: 'ApiKey-4b8d2f00c9e1',
  httpPass: 'HttpPass-77e1c0d9',
  osPass: 'OsPass-2c9d81ab',
  proxyPass: 'Pr/xyPass-5e0a',
  metaProxyPass: 'MetaProxy-81d3aa',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzTESTKEY',
  awsSession: 'IQoJb3JpZ2luX2VjSESSIONTOKENFORTEST0000aa',
  envSecret: 'EnvSecretKeyValue/ab12CD34ef56GH78ij90KL',
  envSession: 'EnvSessionToken-0c3e9a1d77',
  containerToken: 'ContainerTok-c41a93f2',
  containerUriPass: 'UriPass-0d7e',
  containerQuery: 'QueryTok-19ab77',
  webToken: 'WebIdentityTok-6a02d4e8b1',
  slashPass: 'Sl/sh-P4ss-33aa',
  malformed: 'Malformed-9c0d2e11',
  processStderr: 'ProcStderr-5f5e1d2c',
};

const FORMS = (s: string) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64').replace(/=+$/, '')];

let echo: Server;
let echoUrl = '';
let echoPort = 0;
/** Everything the echo server was sent: proves the secrets were in play. */
let received = '';

beforeAll(async () => {
  // answers every request with an error that echoes it: headers, body, URL
  echo = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const seen = JSON.stringify({ url: req.url, headers: req.headers, body: body.slice(0, 4000) });
      received += seen + '\n';
      if (req.url?.startsWith('/_bulk')) {
        // item-level rejection echoing the request: goes to the dead-letter file
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ took: 1, errors: true, items: [{ index: { status: 400, error: { type: 'mapper_parsing_exception', reason: `echo: ${seen}` } } }] }));
      } else if (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
        res.writeHead(403, { 'content-type': 'text/xml' }).end(`<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized: ${body}</Message></Error></ErrorResponse>`);
      } else if (req.url?.startsWith('/creds')) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `denied: ${seen}` }));
      } else {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `bad request: ${seen}`, __type: 'InvalidParameterException' }));
      }
    });
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as AddressInfo).port;
  echoUrl = `http://127.0.0.1:${echoPort}`;
});
afterAll(() => new Promise<void>((r) => echo.close(() => r())));

function setup(httpPort: number) {
  const dir = tempDir();
  const tokenFile = join(dir, 'web-token');
  writeFileSync(tokenFile, S.webToken);
  const deadLetters = join(dir, 'dead.ndjson');
  const cfg = writeConfig(`service:
  flush: 100ms
  grace: 3s
  log_level: trace
  http_server: on
  http_listen: 127.0.0.1
  http_port: ${httpPort}
pipeline:
  inputs:
    - name: stdin
  outputs:
    - name: http
      alias: echo-http
      match: '*'
      host: 127.0.0.1
      port: ${echoPort}
      header: X-Api-Key ${S.apiKey}
      http_user: someone
      http_passwd: ${S.httpPass}
      retry_limit: no_retries
    - name: http
      alias: bearer-http
      match: '*'
      host: 127.0.0.1
      port: ${echoPort}
      header: Authorization Bearer ${S.bearer}
      retry_limit: no_retries
    - name: http
      alias: via-proxy
      match: '*'
      host: 127.0.0.1
      port: ${echoPort}
      proxy: http://proxyuser:${encodeURIComponent(S.proxyPass)}@127.0.0.1:1
      retry_limit: no_retries
    - name: opensearch
      alias: echo-os
      match: '*'
      host: 127.0.0.1
      port: ${echoPort}
      http_user: elastic
      http_passwd: ${S.osPass}
      dead_letter_path: ${deadLetters}
      retry_limit: no_retries
    - name: opensearch
      alias: signed-os
      match: '*'
      host: 127.0.0.1
      port: ${echoPort}
      aws_auth: on
      aws_region: us-east-1
      aws_credential_chain: static
      aws_access_key_id: AKIAIOSFODNN7EXAMPLE
      aws_secret_access_key: ${S.awsSecret}
      aws_session_token: ${S.awsSession}
      retry_limit: no_retries
    - name: cloudwatch_logs
      alias: cw-container
      match: '*'
      region: us-east-1
      endpoint: ${echoUrl}
      log_group_name: g
      log_stream_name: s
      aws_credential_chain: container
      retry_limit: no_retries
    - name: cloudwatch_logs
      alias: cw-web
      match: '*'
      region: us-east-1
      endpoint: ${echoUrl}
      log_group_name: g
      log_stream_name: s
      aws_credential_chain: web_identity
      retry_limit: no_retries
    - name: cloudwatch_logs
      alias: cw-env
      match: '*'
      region: us-east-1
      endpoint: ${echoUrl}
      log_group_name: g
      log_stream_name: s
      aws_credential_chain: env
      retry_limit: no_retries
    - name: cloudwatch_logs
      alias: cw-profile
      match: '*'
      region: us-east-1
      endpoint: ${echoUrl}
      log_group_name: g
      log_stream_name: s
      aws_credential_chain: profile
      retry_limit: no_retries
    - name: cloudwatch_logs
      alias: cw-metaproxy
      match: '*'
      region: us-east-1
      endpoint: ${echoUrl}
      log_group_name: g
      log_stream_name: s
      aws_credential_chain: container
      aws_metadata_proxy: http://mp:${S.metaProxyPass}@127.0.0.1:1
      retry_limit: no_retries
`, dir);
  const env: NodeJS.ProcessEnv = {
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'none-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: S.envSecret,
    AWS_SESSION_TOKEN: S.envSession,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://cuser:${S.containerUriPass}@127.0.0.1:${echoPort}/creds?token=${S.containerQuery}`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: S.containerToken,
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/wren',
    AWS_ENDPOINT_URL_STS: echoUrl,
  };
  return { dir, cfg, env, deadLetters };
}

const OUTPUTS = ['echo-http', 'bearer-http', 'via-proxy', 'echo-os', 'signed-os', 'cw-container', 'cw-web', 'cw-env', 'cw-profile', 'cw-metaproxy'];

function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, s] of Object.entries(S)) for (const f of FORMS(s)) if (text.includes(f)) found.push(`${name} (${f})`);
  return found;
}

describe('no output prints a secret', () => {
  it('run (trace, every output failing against echoing servers), metrics, dead letters, check, credentials', async () => {
    const port = await freePort();
    const { cfg, env, deadLetters, dir } = setup(port);
    const printed: string[] = [];

    const w = startWren(['run', '-c', cfg], { env });
    await w.waitForLog(/http server listening/);
    w.child.stdin!.write('{"msg":"hello"}\n');
    // wait for the outcome: every output has dealt with the record (each fails against the echo
    // server, no retries: dropped), as its metrics say
    const metricsUrl = `http://127.0.0.1:${port}/api/v1/metrics`;
    const settled = async () => {
      const m = (await (await fetch(metricsUrl)).json()) as { output: Record<string, Record<string, number>> };
      return OUTPUTS.every((id) => (m.output[id]?.dropped_records ?? 0) + (m.output[id]?.proc_records ?? 0) >= 1);
    };
    for (let t = Date.now(); !(await settled()); ) {
      if (Date.now() - t > 60_000) throw new Error(`outputs did not all settle; stderr:\n${w.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    printed.push(await (await fetch(`http://127.0.0.1:${port}/api/v2/metrics/prometheus`)).text());
    printed.push(await (await fetch(`http://127.0.0.1:${port}/api/v1/metrics`)).text());
    w.child.stdin!.end();
    await w.exited;
    printed.push(w.stdout(), w.stderr());
    // the OpenSearch item error echoing the request was dead-lettered
    expect(existsSync(deadLetters)).toBe(true);
    printed.push(readFileSync(deadLetters, 'utf8'));
    // the run did meet the secrets: the servers were sent them and answered with them
    for (const k of ['bearer', 'apiKey', 'awsSession', 'envSession', 'containerToken', 'webToken'] as const) expect(received, k).toContain(S[k]);
    expect(received).toContain(Buffer.from(`someone:${S.httpPass}`).toString('base64'));
    expect(received).toContain(Buffer.from(`elastic:${S.osPass}`).toString('base64'));
    expect(w.stderr()).toMatch(/answered 400/);
    expect(w.stderr()).toMatch(/AccessDenied/);

    const check = await runWren(['check', '-c', cfg], { env });
    expect(check.code).toBe(0);
    printed.push(check.stdout, check.stderr);
    for (const output of ['cw-container', 'cw-web', 'cw-env', 'cw-profile', 'signed-os', 'cw-metaproxy']) {
      for (const json of [[], ['--json']]) {
        const c = await runWren(['credentials', '-c', cfg, '--output', output, ...json], { env });
        printed.push(c.stdout, c.stderr);
      }
    }

    // a failing credential_process that prints a secret on stderr
    writeFileSync(join(dir, 'proc.sh'), `#!/bin/sh\necho "refresh failed: token=${S.processStderr}" >&2\nexit 1\n`, { mode: 0o755 });
    writeFileSync(join(dir, 'aws-config'), `[default]\ncredential_process = ${join(dir, 'proc.sh')}\n`);
    const proc = await runWren(['credentials', '-c', cfg, '--output', 'cw-profile'], { env: { ...env, AWS_CONFIG_FILE: join(dir, 'aws-config') } });
    expect(proc.stdout + proc.stderr).toMatch(/credential_process/);
    printed.push(proc.stdout, proc.stderr);

    // configuration errors: a proxy password holding '/', malformed headers
    const broken = writeConfig(`pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: http
      match: '*'
      proxy: http://user:${S.slashPass}@127.0.0.1:3128
    - name: http
      match: '*'
      header: X-Token:${S.malformed}
`, dir, 'broken.yaml');
    for (const cmd of ['check', 'run']) {
      const r = await runWren([cmd, '-c', broken], { env });
      expect(r.code).toBe(1);
      printed.push(r.stdout, r.stderr);
    }

    // convert: its YAML is the user's own file (secrets included, as written), so it goes to a
    // file; what it prints must not hold them, nor must its error for a broken file
    const classic = join(dir, 'fluent-bit.conf');
    writeFileSync(classic, `[INPUT]\n    Name dummy\n[OUTPUT]\n    Name http\n    Match *\n    Header Authorization Bearer ${S.bearer}\n    HTTP_Passwd ${S.httpPass}\n    Proxy http://u:${S.slashPass}@127.0.0.1:3128\n`);
    const conv = await runWren(['convert', '-c', classic, '-o', join(dir, 'converted.yaml')], { env });
    expect(conv.code).toBe(0);
    expect(readFileSync(join(dir, 'converted.yaml'), 'utf8')).toContain(S.bearer);
    printed.push(conv.stdout, conv.stderr);
    writeFileSync(classic, `[OUTPUT]\n    Name http\n    Match *\n    HTTP_Passwd ${S.httpPass}\n  Proxy http://u:${S.slashPass}@127.0.0.1:3128\n[BROKEN\n`);
    const badConv = await runWren(['convert', '-c', classic], { env });
    expect(badConv.code).toBe(1);
    printed.push(badConv.stdout, badConv.stderr);

    const all = printed.join('\n');
    expect(leaks(all)).toEqual([]);
  }, 120_000);
});
