#!/usr/bin/env node
// Runs the benchmark scenarios: every bench/*.bench.mjs, or those named on the command line
// (`npm run bench -- tail credentials`). Builds first (tsc and the bundle), since scenarios use dist/.
// Each scenario is its own process and prints its figures; they are not tests.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const wanted = process.argv.slice(2);
const all = readdirSync(here).filter((f) => f.endsWith('.bench.mjs')).sort();
const picked = wanted.length === 0 ? all : all.filter((f) => wanted.some((w) => f.startsWith(w)));
if (picked.length === 0) {
  console.error(`no scenario matches ${wanted.join(', ')}; have: ${all.join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const f of picked) {
  console.log(`\n=== ${f.replace('.bench.mjs', '')} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, f)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
