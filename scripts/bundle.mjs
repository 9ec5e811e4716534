#!/usr/bin/env node
// Bundles the CLI (src/cli.ts and everything it imports, node_modules included) into dist/bundle/
// with esbuild's WebAssembly build: one file for the start-up path, one chunk per lazily loaded
// plugin implementation (code splitting keeps the dynamic imports lazy). `npm run bundle`.
import { build } from 'esbuild-wasm';
import { rmSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
const t0 = performance.now();
await build({
  entryPoints: [join(root, 'src', 'cli.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: process.env.BUNDLE_MINIFY !== '0',
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  // CommonJS dependencies (pino, yaml) call require() for Node's modules
  banner: { js: "import { createRequire as __wrenRequire } from 'node:module'; const require = __wrenRequire(import.meta.url);" },
  logLevel: 'warning',
});
const files = readdirSync(outdir);
const size = files.reduce((n, f) => n + statSync(join(outdir, f)).size, 0);
console.log(`bundled into ${outdir}: ${files.length} files, ${(size / 1024).toFixed(0)} KiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
