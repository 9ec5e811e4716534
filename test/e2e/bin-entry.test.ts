import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { childEnv, ROOT, tempDir } from '../helpers/cli.js';

// The `wren` bin (dist/src/bin.cjs) answers --version itself and runs the bundle the build makes
// (dist/bundle/cli.cjs) with its V8 code cache for everything else; WREN_ENTRY=src runs the
// TypeScript build instead.
const BIN = join(ROOT, 'dist', 'src', 'bin.cjs');
const GUARD = join(ROOT, 'test', 'helpers', 'loopback-guard-preload.mjs');

/** Run the bin with a loader hook that lists every file: module it loads. */
function runListing(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; modules: string[] }> {
  const dir = tempDir('wren-bin-');
  writeFileSync(join(dir, 'hooks.mjs'), "export async function load(u, c, n) { if (u.startsWith('file:')) process.stderr.write('LOADED ' + u + '\\n'); return n(u, c); }\n");
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', GUARD, '--import', join(dir, 'register.mjs'), BIN, ...args], { cwd: ROOT, env: childEnv(env) }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve({ stdout, stderr, modules: stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7).replace(pathToFileURL(ROOT).href + '/', '')) });
    });
  });
}

test('--version is answered by the bin alone, without loading the CLI', async () => {
  for (const arg of ['--version', '-V', 'version']) {
    const r = await runListing([arg]);
    expect(r.stdout).toMatch(/^wren \d+\.\d+\.\d+\n$/);
    expect(r.modules.filter((m) => m.startsWith('dist/') && m !== 'dist/src/bin.cjs')).toEqual([]);
  }
});

test('commands run the bundle with its code cache, or the TypeScript build with WREN_ENTRY=src, with the same result', async () => {
  const cfg = join(ROOT, 'config', 'wren.yaml');
  const bundled = await runListing(['check', '-c', cfg], { WREN_DEBUG_START: '1' });
  // the cache is taken only under the V8 flags it was made with: a flag the CLI sets that the bin does not set first shows here
  expect(bundled.stderr).toContain('wren: entry dist/bundle/cli.cjs, code cache taken');
  expect(bundled.modules.filter((m) => m.startsWith('dist/') && m !== 'dist/src/bin.cjs')).toEqual([]);
  const src = await runListing(['check', '-c', cfg], { WREN_ENTRY: 'src', WREN_DEBUG_START: '1' });
  expect(src.stderr).toContain('wren: entry dist/src/cli.js');
  expect(src.modules).toContain('dist/src/cli.js');
  expect(src.modules.some((m) => m.startsWith('dist/bundle/'))).toBe(false);
  expect(bundled.stdout).toBe(src.stdout);
  expect(bundled.stdout).toMatch(/OK/);
});

/** Run bin/wren.cjs as npm installs it (an executable file: its shell line, then Node); a preload reports Node's environment. */
function runInstalledBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = tempDir('wren-npm-bin-');
  const probe = join(dir, 'probe.cjs');
  writeFileSync(probe, "process.stderr.write('TRIM=' + process.env.MALLOC_TRIM_THRESHOLD_ + '\\n');\n");
  return new Promise((resolve) => {
    // the variable comes from the bin's shell line here, not from the tests' base environment
    const base = childEnv({ NODE_OPTIONS: `--import ${GUARD} --require ${probe}`, ...env });
    if (env.MALLOC_TRIM_THRESHOLD_ === undefined) delete base.MALLOC_TRIM_THRESHOLD_;
    execFile(join(ROOT, 'bin', 'wren.cjs'), args, { cwd: dir, env: base }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('the npm bin (bin/wren.cjs) starts Node with a fixed malloc trim threshold, keeps one the user set, and passes arguments and exit codes through', async () => {
  const v = await runInstalledBin(['--version']);
  expect(v.code).toBe(0);
  expect(v.stdout).toMatch(/^wren \d+\.\d+\.\d+\n$/);
  expect(v.stderr).toContain('TRIM=131072\n');
  const own = await runInstalledBin(['--version'], { MALLOC_TRIM_THRESHOLD_: '65536' });
  expect(own.stderr).toContain('TRIM=65536\n');
  const bad = await runInstalledBin(['check', '-c', join(ROOT, 'no-such-wren.yaml')]);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/no-such-wren\.yaml/);
  // run by Node directly (as the image does, which sets the variable itself), the shell line is inert
  const direct = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['--import', GUARD, join(ROOT, 'bin', 'wren.cjs'), '--version'], { env: childEnv() }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
  expect(direct).toMatch(/^wren \d+\.\d+\.\d+\n$/);
});
