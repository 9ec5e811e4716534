#!/usr/bin/env node
// Chaos harness for the tail input (issue: nothing lost to a crash, every rotation survived).
//
// A writer process appends numbered lines to app.log; Wren (the built CLI, dist/) tails it with a
// db and posts every record to a loopback HTTP sink that counts each number. Wren is killed with
// SIGKILL again and again and restarted on the same db, while the file is rotated by rename (the
// writer reopens, as a runtime does) and by copytruncate (the writer paused across copy+truncate,
// since logrotate itself loses what is written in between), both while Wren runs and while it is
// down, including copytruncate while down with the original regrown past Wren's saved offset.
// Reports written, lost (must be 0) and duplicated (at most what was in flight at each kill).
//
//   node scripts/tail-chaos.mjs [--cycles 30] [--rate 3000]      (builds nothing: run `npm run build` first)
//
// test/plugins/in_tail/chaos.test.ts runs a few cycles of it in `npm test`. Network: 127.0.0.1 only;
// Wren runs with the tests' loopback guard.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'src', 'bin.cjs');
const GUARD = join(ROOT, 'test', 'helpers', 'loopback-guard-preload.mjs');

const WRITER = `
const fs = require('node:fs');
const [path, rate] = process.argv.slice(1);
let fd = fs.openSync(path, 'a');
let i = 0;
const pad = 'x'.repeat(40);
process.on('SIGUSR1', () => { fs.closeSync(fd); fd = fs.openSync(path, 'a'); });
process.on('SIGTERM', () => { clearInterval(t); fs.closeSync(fd); process.stdout.write(String(i)); process.exit(0); });
const per = Math.max(1, Math.round(Number(rate) / 100));
const t = setInterval(() => { let s = ''; for (let k = 0; k < per; k++) s += 'line ' + (i++) + ' ' + pad + '\\n'; fs.writeSync(fd, s); }, 10);
`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rand = (a, b) => a + Math.random() * (b - a);

function startSink(counts) {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      for (const line of body.split('\n')) {
        if (!line) continue;
        const m = /"log":"line (\d+) /.exec(line);
        if (m) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
      }
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function startWren(cfg, logs) {
  const child = spawn(process.execPath, ['--import', GUARD, CLI, 'run', '-c', cfg], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_EC2_METADATA_DISABLED: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.setEncoding('utf8');
  let text = '';
  child.started = new Promise((resolve) => {
    child.stderr.on('data', (d) => {
      logs.push(d);
      if (text !== null) {
        text += d;
        if (text.includes('"msg":"wren started"')) {
          text = null;
          resolve();
        }
      }
    });
    child.on('exit', resolve);
  });
  child.exited = new Promise((r) => child.on('exit', (code, sig) => r(code ?? sig)));
  return child;
}

/**
 * Run the experiment. `cycles` kill/restart cycles; each one may rotate while Wren is up and
 * while it is down (alternating rename and copytruncate). Returns the figures.
 */
export async function runChaos({ cycles = 6, rate = 1500, upMs = [900, 1600], downMs = [500, 1000], dir: given, say = () => {} } = {}) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = given ?? mkdtempSync(join(tmpdir(), 'wren-chaos-'));
  const log = join(dir, 'app.log');
  const counts = new Map();
  const server = await startSink(counts);
  const cfg = join(dir, 'wren.yaml');
  writeFileSync(cfg, `service:
  flush: 200ms
  grace: 2s
  log_level: info
pipeline:
  inputs:
    - name: tail
      path: ${log}
      db: ${join(dir, 'tail.db')}
      read_from_head: on
      refresh_interval: 1
      watcher_interval: 250ms
      rotate_wait: 3
  outputs:
    - name: http
      match: '*'
      port: ${server.address().port}
      format: json_lines
`);
  writeFileSync(log, '');
  const logs = [];
  const writer = spawn(process.execPath, ['-e', WRITER, log, String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let written = '';
  writer.stdout.on('data', (d) => { written += d; });
  const writerDone = new Promise((r) => writer.on('exit', r));
  const stats = { kills: 0, renameUp: 0, copyUp: 0, renameDown: 0, copyDown: 0, copyDownRegrown: 0 };
  let gen = 0;
  /** Rename (the writer reopens) or copytruncate (the writer paused across copy + truncate); returns the copy's size. */
  const rotate = async (how) => {
    const rotated = `${log}.${++gen}`;
    if (how === 'rename') {
      renameSync(log, rotated);
      await sleep(rand(0, 50)); // the writer still appends to the renamed file for a moment
      writer.kill('SIGUSR1');
      await sleep(20);
      return 0;
    }
    writer.kill('SIGSTOP');
    await sleep(30);
    copyFileSync(log, rotated);
    truncateSync(log, 0);
    writer.kill('SIGCONT');
    return statSync(rotated).size;
  };
  // [while up, while down], in turn: every kind of rotation both while Wren runs and while it is down.
  const PLAN = [['none', 'rename'], ['copy', 'copy'], ['rename', 'none'], ['none', 'copy'], ['rename', 'rename'], ['copy', 'none']];
  try {
    let wren = startWren(cfg, logs);
    // Until its first db write Wren has recorded nothing (as on a first install): the experiment starts from there.
    const db = join(dir, 'tail.db');
    while (!existsSync(db)) await sleep(50);
    for (let c = 0; c < cycles; c++) {
      const [up, down] = PLAN[c % PLAN.length];
      await wren.started; // start-up is not up time: kills land while Wren is reading and delivering
      await sleep(rand(...upMs));
      if (up !== 'none') {
        await rotate(up);
        stats[up === 'rename' ? 'renameUp' : 'copyUp']++;
        await sleep(rand(50, 400)); // sometimes noticed before the kill, sometimes not
      }
      wren.kill('SIGKILL');
      await wren.exited;
      stats.kills++;
      if (down !== 'none') {
        const copied = await rotate(down);
        stats[down === 'rename' ? 'renameDown' : 'copyDown']++;
        if (down === 'copy') {
          // Stay down until the truncated original has regrown past the copy (so past any saved offset).
          const until = Date.now() + 10_000;
          while (statSync(log).size <= copied && Date.now() < until) await sleep(50);
          if (statSync(log).size > copied) stats.copyDownRegrown++;
        }
      }
      await sleep(rand(...downMs));
      say(`cycle ${c + 1}/${cycles} (up: ${up}, down: ${down}): ${counts.size} distinct lines received`);
      wren = startWren(cfg, logs);
    }
    await wren.started;
    await sleep(rand(...upMs));
    writer.kill('SIGTERM');
    await writerDone;
    const total = Number(written);
    // Drain: wait until every line arrived, or nothing new arrives for 10 s.
    let last = -1;
    let still = Date.now();
    while (Date.now() - still < 10_000) {
      let have = 0;
      for (let i = 0; i < total; i++) if (counts.has(i)) have++;
      if (have === total) break;
      if (have !== last) {
        last = have;
        still = Date.now();
      }
      await sleep(200);
    }
    wren.kill('SIGTERM');
    await wren.exited;
    let lost = 0;
    let duplicated = 0;
    const missing = [];
    const dupRanges = [];
    for (let i = 0; i < total; i++) {
      const n = counts.get(i) ?? 0;
      if (n === 0) {
        lost++;
        if (missing.length < 20) missing.push(i);
      }
      if (n > 1) {
        duplicated += n - 1;
        const last = dupRanges.at(-1);
        if (last !== undefined && last[1] === i - 1) last[1] = i;
        else if (dupRanges.length < 50) dupRanges.push([i, i]);
      }
    }
    if (process.env.CHAOS_LOGS) writeFileSync(process.env.CHAOS_LOGS, logs.join(""));
    const errors = logs.join('').split('\n').filter((l) => l.includes('"level":"error"')).slice(0, 10);
    return { written: total, lost, duplicated, missing, ...stats, errors, dir, dupRanges: dupRanges.map(([a, b]) => `${a}-${b}`) };
  } finally {
    if (writer.exitCode === null) writer.kill('SIGKILL');
    server.closeAllConnections();
    server.close();
    if (given === undefined && !process.env.CHAOS_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const t0 = Date.now();
  const r = await runChaos({ cycles: arg('cycles', 30), rate: arg('rate', 3000), upMs: [1500, 4000], downMs: [800, 2500], say: (s) => console.log(s) });
  console.log(JSON.stringify({ ...r, seconds: Math.round((Date.now() - t0) / 1000) }, null, 1));
  process.exit(r.lost === 0 ? 0 : 1);
}
