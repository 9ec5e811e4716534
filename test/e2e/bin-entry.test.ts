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
