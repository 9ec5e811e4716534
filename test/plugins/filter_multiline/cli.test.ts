import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWren, tempDir, writeConfig } from '../../helpers/cli.js';
import { expectedLogs, sampleLines, TRACE_SAMPLES } from '../../helpers/stack-traces.js';

/** Stack traces through the real CLI: a CRI log whose long lines the runtime split, every language at once. */

let dir: string;
beforeEach(() => {
  dir = tempDir('wren-ml-e2e-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Each sample on stderr of its own container log, lines over 60 characters written as CRI P parts. */
function writeCriLogs(logs: string): void {
  mkdirSync(logs);
  for (const s of TRACE_SAMPLES) {
    const out: string[] = [];
    sampleLines(s).forEach((l, i) => {
      const ts = `2025-03-14T09:12:${String(10 + i).padStart(2, '0')}.000000001Z`;
      let at = 0;
      for (; l.length - at > 60; at += 60) out.push(`${ts} stderr P ${l.slice(at, at + 60)}`);
      out.push(`${ts} stderr F ${l.slice(at)}`);
    });
    writeFileSync(join(logs, `${s.parser}.log`), out.join('\n') + '\n');
  }
}

function records(out: string): Record<string, unknown>[] {
  return readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
}

const OUTPUT = (out: string) => `  outputs:
    - name: file
      match: '*'
      path: ${out}
      format: plain`;

describe('stack traces from CRI logs through wren run', () => {
  it('tail multiline.parser cri + filter multiline (one filter per language): each trace is one record', async () => {
    const logs = join(dir, 'logs');
    const out = join(dir, 'out');
    mkdirSync(out);
    writeCriLogs(logs);
    const filters = TRACE_SAMPLES.map((s) => `    - name: multiline
      match: 'kube.*${s.parser}.log'
      multiline.key_content: log
      multiline.parser: ${s.parser}`).join('\n');
    const cfg = writeConfig(`service:
  flush: 0.2
  log_level: warn
pipeline:
  inputs:
    - name: tail
      path: ${logs}/*.log
      tag: kube.*
      read_from_head: on
      exit_on_eof: on
      multiline.parser: cri
  filters:
${filters}
${OUTPUT(out)}
`, dir);
    const r = await runWren(['run', '-c', cfg], { timeoutMs: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const logsOut = records(out).map((x) => x.log);
    for (const s of TRACE_SAMPLES) for (const want of expectedLogs(s)) expect(logsOut.filter((l) => l === want)).toHaveLength(1);
    expect(logsOut).toHaveLength(TRACE_SAMPLES.length * 3);
  });

  it('tail multiline.parser cri, java with a user multiline parser from YAML: both joined in the tail', async () => {
    const logs = join(dir, 'logs');
    const out = join(dir, 'out');
    mkdirSync(out);
    writeCriLogs(logs);
    const cfg = writeConfig(`service:
  flush: 0.2
  log_level: warn
multiline_parsers:
  - name: rb
    type: regex
    flush_timeout: 500
    rules:
      - state: start_state
        regex: '/^.+:\\d+:in\\s+.*/'
        next_state: frames
      - state: frames
        regex: '/^\\s+from\\s+.*:\\d+:in\\s+.*/'
        next_state: frames
pipeline:
  inputs:
    - name: tail
      path: ${logs}/*.log
      tag: kube.*
      read_from_head: on
      exit_on_eof: on
      multiline.parser: cri, java, rb
${OUTPUT(out)}
`, dir);
    const r = await runWren(['run', '-c', cfg], { timeoutMs: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const logsOut = records(out).map((x) => x.log);
    for (const s of TRACE_SAMPLES.filter((x) => x.parser === 'java' || x.parser === 'ruby')) {
      expect(logsOut).toContain(s.trace.join('\n'));
    }
    // go and python traces are not joined by these parsers: their lines stay one record each
    expect(logsOut).toContain(TRACE_SAMPLES[0]!.trace[0]);
  });

  it('wren check reports a bad rule at its line', async () => {
    const cfg = writeConfig(`multiline_parsers:
  - name: rb
    type: regex
    rules:
      - state: start_state
        regex: '/x/'
        next_state: framez
      - state: frames
        regex: '/y/'
pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: stdout
      match: '*'
`, dir);
    const r = await runWren(['check', '-c', cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wren\.yaml:5:9: multiline parser 'rb': rule 1: next state 'framez' is not the state of any rule; did you mean 'frames'\?/);
  });
});
