import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * End-to-end tests drive the built CLI (dist/), so build once before any test runs: tsc, then the
 * bundle the `wren` bin runs (the bin runs dist/src instead when the bundle is older than it, so
 * the bundle is made last). `npm test` type-checks strictly before vitest starts; here a type error
 * elsewhere in the tree (someone's work in progress) only warns, as long as the build produced the CLI.
 */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`warning: tsc reported errors (tests use what it emitted):\n${r.stdout}${r.stderr}\n`);
    if (!existsSync(join(root, 'dist/src/cli.js'))) throw new Error('the build did not produce dist/src/cli.js');
  }
  const b = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`the bundle failed (scripts/bundle.mjs):\n${b.stdout}${b.stderr}`);
}
