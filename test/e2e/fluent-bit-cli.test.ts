import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, runWren, startWren, tempDir, writeConfig } from '../helpers/cli.js';

/** Fluent Bit's command line and monitoring API, through the real CLI. */
describe('wren as Fluent Bit is started', () => {
  it('runs a pipeline given only as flags', async () => {
    const r = await runWren(['-i', 'dummy', '-p', 'samples=3', '-p', 'rate=20', '-o', 'stdout', '-p', 'format=json_lines', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ message: 'dummy' });
  });

  it('validates flags like a file: errors name the flag; --dry-run prints the pipeline', async () => {
    const bad = await runWren(['-i', 'dummy', '-p', 'rate=fast', '-o', 'stdout', '-p', 'formt=json']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^command line \(-p rate=fast\): input 'dummy': 'rate' expects an integer, got 'fast'$/m);
    expect(bad.stderr).toMatch(/^command line \(-p formt=json\): unknown key 'formt' for output 'stdout'; did you mean 'format'\?$/m);
    const typo = await runWren(['-i', 'dumy', '-o', 'stdout']);
    expect(typo.stderr.trim()).toMatch(/^command line \(-i dumy\): unknown input plugin 'dumy'; did you mean 'dummy'\?/);
    expect(typo.stderr.trim().split('\n')).toHaveLength(1);
    const dry = await runWren(['--dry-run', '-i', 'dummy', '-t', 'app', '-F', 'grep', '-m', 'app', '-p', 'regex=message x', '-o', 'null', '-m', '*', '-o', 'stdout', '-m', 'app', '-f', '0.5']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('<command line>: OK\nservice: flush 500ms');
    // instances are numbered per kind, in order, as Fluent Bit names them
    expect(dry.stdout).toMatch(/inputs:\n {2}dummy\.0 \(dummy\) tag app\n/);
    expect(dry.stdout).toMatch(/filters:\n {2}grep\.0 \(grep\) match app {2}regex=message x\n/);
    expect(dry.stdout).toMatch(/outputs:\n {2}null\.0 \(null\) match \*\n {2}stdout\.1 \(stdout\) match app\n/);
  });

  it("takes the Helm chart's arguments as written (--workdir=DIR --config=DIR/conf/…), with -R and paths from the workdir", async () => {
    const etc = tempDir('wren-fb-etc-');
    mkdirSync(join(etc, 'conf'));
    writeFileSync(join(etc, 'parsers.yaml'), 'parsers:\n  - name: kv\n    format: logfmt\n');
    writeFileSync(join(etc, 'conf', 'fluent-bit.yaml'), `service:
  Daemon: off
  Flush: 1
  Log_Level: info
  HTTP_Server: off
  HTTP_Listen: 0.0.0.0
  HTTP_Port: 2020
  Health_Check: on
  Coro_Stack_Size: 24576
pipeline:
  inputs:
    - name: stdin
      parser: kv
  outputs:
    - name: stdout
      match: '*'
      format: json_lines
`);
    const r = await runWren([`--workdir=${etc}`, `--config=${etc}/conf/fluent-bit.yaml`, '-R', 'parsers.yaml', '--quiet'], { stdin: 'level=info msg=hello\n', cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ level: 'info', msg: 'hello' });
    // the file's Log_Level wins over --quiet: its service keys are applied after the flags', as in Fluent Bit
    expect(r.stderr).toMatch(/"msg":"wren started"/);
    // relative -c resolves from the workdir, as Fluent Bit (chdir first)
    const rel = await runWren(['-w', etc, '-c', 'conf/fluent-bit.yaml', '-R', 'parsers.yaml', '-D'], { cwd: tempDir() });
    expect(rel.code).toBe(0);
    const missing = await runWren(['-w', join(etc, 'nope'), '-c', 'x.yaml']);
    expect(missing.stderr).toMatch(/cannot change to the working directory .*nope' \(ENOENT\); check -w/);
  });

  it('[SERVICE] keys: daemon on and plugins_file are clear errors; log_file receives the logs; hot_reload warns', async () => {
    const daemon = await runWren(['check', '-c', writeConfig("service:\n  daemon: on\n  plugins_file: plugins.conf\npipeline:\n  inputs:\n    - name: dummy\n  outputs:\n    - name: null\n      match: '*'\n")]);
    expect(daemon.code).toBe(1);
    expect(daemon.stderr).toMatch(/wren\.yaml:2:3: 'daemon on' is not supported: Wren stays in the foreground \(set daemon off/);
    expect(daemon.stderr).toMatch(/wren\.yaml:3:3: 'plugins_file' is not supported/);
    const dir = tempDir();
    const log = join(dir, 'wren.log');
    const r = await runWren(['-i', 'dummy', '-p', 'samples=1', '-o', 'null', '-l', log, '-c', writeConfig('service:\n  hot_reload: on\n  storage.path: /var/lib/wren\n  storage.sync: full\n  storage.backlog.mem_limit: 5M\n  storage.metrics: on\n', dir)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(lines.map((l) => l.msg)).toContain('wren started');
    expect(lines.find((l) => /hot_reload is on, but reloading is not supported yet/.test(l.msg))?.level).toBe('warn');
  });

  it("serves Fluent Bit's monitoring API: /api/v2/health, JSON metrics and a Prometheus scrape with fluentbit_* names", async () => {
    const port = await freePort();
    const w = startWren(['-i', 'stdin', '-F', 'grep', '-m', '*', '-p', 'exclude=log drop', '-o', 'null', '-m', '*', '-H', '-P', String(port), '-L', '127.0.0.1']);
    await w.waitForLog(/http server listening/);
    w.child.stdin!.write('keep 1\ndrop 2\nkeep 3\n');
    const base = `http://127.0.0.1:${port}`;
    let metrics: Record<string, Record<string, Record<string, number>>> = {};
    for (let i = 0; i < 100; i++) {
      metrics = (await (await fetch(`${base}/api/v1/metrics`)).json()) as typeof metrics;
      if (metrics.output!['null.0']!.proc_records === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(metrics.input!['stdin.0']).toEqual({ records: 3, bytes: expect.any(Number) as number });
    expect(metrics.filter!['grep.0']).toMatchObject({ drop_records: 1, add_records: 0, records: 3 });
    expect(metrics.output!['null.0']).toEqual({ proc_records: 2, proc_bytes: expect.any(Number) as number, errors: 0, retries: 0, retries_failed: 0, dropped_records: 0, retried_records: 0 });
    const health = await fetch(`${base}/api/v2/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', errors: 0, retries_failed: 0, error_limit: 5, retry_failure_limit: 5, period_limit: 60 });
    expect(await (await fetch(`${base}/api/v1/health`)).text()).toBe('ok\n');
    const prom = await fetch(`${base}/api/v2/metrics/prometheus`);
    expect(prom.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    const text = await prom.text();
    expect(text).toMatch(/^fluentbit_input_records_total\{name="stdin\.0"\} 3$/m);
    expect(text).toMatch(/^fluentbit_filter_drop_records_total\{name="grep\.0"\} 1$/m);
    expect(text).toMatch(/^fluentbit_output_proc_records_total\{name="null\.0"\} 2$/m);
    expect(text).toMatch(/^fluentbit_output_retries_failed_total\{name="null\.0"\} 0$/m);
    expect(text).toMatch(/^fluentbit_uptime\{hostname="[^"]+"\} \d+$/m);
    expect(text).toMatch(/^fluentbit_build_info\{hostname="[^"]+",version="\d+\.\d+\.\d+",os="linux"\} \d+$/m);
    expect(await (await fetch(`${base}/api/v1/metrics/prometheus`)).text()).toMatch(/^fluentbit_input_records_total\{name="stdin\.0"\} 3 \d+$/m);
    expect(await (await fetch(`${base}/api/v2/metrics`)).text()).toMatch(/^\S+Z fluentbit_output_proc_records_total\{name="null\.0"\} = 2$/m);
    expect(await (await fetch(`${base}/api/v2/reload`)).json()).toEqual({ hot_reload_count: 0 });
    expect((await fetch(`${base}/api/v2/reload`, { method: 'POST' })).status).toBe(501);
    w.child.stdin!.end();
    expect(await w.exited).toBe(0);
  });
});
