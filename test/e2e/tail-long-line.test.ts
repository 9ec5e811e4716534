import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, runWren, startWren, tempDir, writeConfig } from '../helpers/cli.js';

/**
 * The default long-line policy (neither skip_long_lines nor truncate_long_lines) stops reading
 * the file, as Fluent Bit does. It must never be silent: logged once for the file with the fix,
 * counted, reflected by health, and a bounded run does not exit 0.
 */
describe('tail: a line over buffer_max_size with the default policy', () => {
  it('a bounded run exits 2 and says which file was left behind and how to fix it', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    // one docker 16 KiB write of control characters: ~98 kB once escaped into a json-file line
    const escaped = JSON.stringify({ log: '\u0001'.repeat(16 * 1024) + '\n', stream: 'stdout', time: '2025-01-01T00:00:00Z' });
    writeFileSync(log, `{"log":"before\\n"}\n${escaped}\n{"log":"after\\n"}\n`);
    const cfg = writeConfig(`service:
  flush: 100ms
pipeline:
  inputs:
    - name: tail
      path: ${log}
      read_from_head: on
      exit_on_eof: on
  outputs:
    - name: stdout
      match: '*'
      format: json_lines
`, dir);
    const r = await runWren(['run', '-c', cfg]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('before');
    const errors = r.stderr.split('\n').filter((l) => l.includes('buffer_max_size'));
    expect(errors.filter((l) => l.includes('no longer read'))).toHaveLength(1);
    expect(errors.join('\n')).toMatch(/skip_long_lines/);
    expect(r.stderr).toMatch(/1 file\(s\) were not read to the end/);
  }, 30_000);

  it('health turns 500 (health_check on) and the counter shows it', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, 'short\n' + 'x'.repeat(40 * 1024) + '\nmore\n');
    const port = await freePort();
    const cfg = writeConfig(`service:
  flush: 100ms
  http_server: on
  http_listen: 127.0.0.1
  http_port: ${port}
  health_check: on
pipeline:
  inputs:
    - name: tail
      alias: app
      path: ${log}
      read_from_head: on
  outputs:
    - name: null
      match: '*'
`, dir);
    const w = startWren(['run', '-c', cfg]);
    try {
      await w.waitForLog(/no longer read/);
      const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      expect(health.status).toBe(500);
      const text = await (await fetch(`http://127.0.0.1:${port}/api/v2/metrics/prometheus`)).text();
      expect(text).toMatch(/wren_input_files_stopped_total\{name="app",plugin="tail"\} 1\n/);
    } finally {
      w.kill('SIGTERM');
      await w.exited;
    }
  }, 30_000);
});
