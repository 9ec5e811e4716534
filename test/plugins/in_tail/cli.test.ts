import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWren, tempDir, writeConfig } from '../../helpers/cli.js';
import { containerLogsTail, JSON_LINES_STDOUT } from '../../helpers/config-yaml.js';

/** The tail input through the real CLI: `node dist/src/cli.js run -c <yaml>`. */

let dir: string;
beforeEach(() => {
  dir = tempDir('wren-tail-e2e-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Flush every 0.2 s; only warnings and errors logged. */
const QUIET_SERVICE = `service:
  flush: 0.2
  log_level: warn`;

/** CRI lines; every 7th message is split by the "runtime" into two P parts and an F part. */
function criFile(path: string, n: number, prefix: string): void {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ts = `2025-03-14T09:${String(10 + (i % 50)).padStart(2, '0')}:00.${String(i).padStart(9, '0')}Z`;
    const msg = JSON.stringify({ level: 'info', msg: `${prefix} message ${i}`, i });
    if (i % 7 === 0) {
      out.push(`${ts} stdout P ${msg.slice(0, 10)}`, `${ts} stdout P ${msg.slice(10, 20)}`, `${ts} stdout F ${msg.slice(20)}`);
    } else out.push(`${ts} ${i % 5 === 0 ? 'stderr' : 'stdout'} F ${msg}`);
  }
  writeFileSync(path, out.join('\n') + '\n');
}

function outputRecords(outDir: string): Record<string, unknown>[] {
  const recs: Record<string, unknown>[] = [];
  for (const f of readdirSync(outDir)) {
    for (const line of readFileSync(join(outDir, f), 'utf8').split('\n')) if (line) recs.push(JSON.parse(line) as Record<string, unknown>);
  }
  return recs;
}

describe('tail through wren run', () => {
  it('exit_on_eof ends a bounded run with every line delivered once, partial lines rejoined', async () => {
    const logs = join(dir, 'logs');
    const out = join(dir, 'out');
    mkdirSync(logs);
    mkdirSync(out);
    criFile(join(logs, 'a.log'), 4000, 'a');
    criFile(join(logs, 'b.log'), 3000, 'b');
    const cfg = writeConfig(`
${QUIET_SERVICE}
pipeline:
  inputs:
${containerLogsTail(`${logs}/*.log`)}
  outputs:
    - name: file
      match: 'kube.*'
      path: ${out}
      format: plain
`, dir);
    const r = await runWren(['run', '-c', cfg], { timeoutMs: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const recs = outputRecords(out);
    expect(recs).toHaveLength(7000);
    const seen = new Set(recs.map((x) => JSON.parse(x.log as string).msg as string));
    expect(seen.size).toBe(7000);
    expect(recs.filter((x) => x.stream === 'stderr').length).toBeGreaterThan(0);
  });

  it('a second run with the same db reads only what was appended', async () => {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const log = join(logs, 'app.log');
    writeFileSync(log, 'one\ntwo\n');
    const cfg = writeConfig(`
${QUIET_SERVICE}
pipeline:
  inputs:
    - name: tail
      path: ${log}
      db: ${join(dir, 'tail.db')}
      read_from_head: on
      exit_on_eof: on
  outputs:
${JSON_LINES_STDOUT}
`, dir);
    const first = await runWren(['run', '-c', cfg]);
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { log: string }).log)).toEqual(['one', 'two']);
    appendFileSync(log, 'three\n');
    const second = await runWren(['run', '-c', cfg]);
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { log: string }).log)).toEqual(['three']);
  });

  it('the sample container logs in examples/logs go through (docker and cri, partial lines joined)', async () => {
    const samples = resolve(import.meta.dirname, '../../../examples/logs');
    const cfg = writeConfig(`
service:
  log_level: warn
pipeline:
  inputs:
${containerLogsTail(`${samples}/*.log`)}
  outputs:
${JSON_LINES_STDOUT}
`, dir);
    const r = await runWren(['run', '-c', cfg]);
    expect(r.code).toBe(0);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toHaveLength(31);
    expect(recs.some((x) => String(x.log).startsWith('export report') && String(x.log).length > 24000)).toBe(true);
    expect(recs.some((x) => String(x.log).includes('"cart snapshot"'))).toBe(true);
  });
});
