#!/usr/bin/env node
/**
 * The `wren` command (package.json "bin", the image's entrypoint). CommonJS on purpose: Node starts
 * a CommonJS file without its ES module loader, so `wren --version` costs what `node -e 0` costs
 * plus one small file read (measured: an ESM entry +7 ms, the full CLI +16 ms).
 *
 * Everything else runs the bundle, dist/bundle/cli.cjs (scripts/bundle.mjs, run by `npm run build`:
 * one file instead of ~180 modules), compiled with the V8 code cache made for it at build time
 * (matched by the build id at the bundle's end),
 * when the bundle is at least as new as the TypeScript build next to this file; else that build
 * (dist/src/cli.js), so that after a bare `tsc` a stale bundle is never run. WREN_ENTRY=src|bundle
 * picks one; WREN_DEBUG_START=1 says which ran and whether the cache was taken.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { CLI_V8_FLAGS } from './v8-flags.cjs';

const CACHE_MAGIC = 'WRENCC1';

const argv = process.argv.slice(2);
if (argv.length === 1 && ['--version', '-V', 'version'].includes(argv[0]!)) {
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    // no package.json next to the build: 0.0.0, as the full CLI says
  }
  process.stdout.write(`wren ${version}\n`);
} else {
  const src = join(__dirname, 'cli.js');
  const bundle = join(__dirname, '..', 'bundle', 'cli.cjs');
  if (useBundle(src, bundle)) runBundle(bundle);
  else {
    debug('entry dist/src/cli.js');
    void import(pathToFileURL(src).href);
  }
}

function useBundle(src: string, bundle: string): boolean {
  const pick = process.env.WREN_ENTRY;
  if (pick === 'src' || pick === 'bundle') return pick === 'bundle';
  try {
    return statSync(bundle).mtimeMs >= statSync(src).mtimeMs;
  } catch {
    return false;
  }
}

function runBundle(file: string): void {
  // the flags the CLI sets for itself, set first: the cache is taken only under those it was made with
  for (const f of CLI_V8_FLAGS) setFlagsFromString(f);
  // ASCII only (scripts/bundle.mjs checks): latin1 reads it in a quarter of UTF-8's time
  const source = readFileSync(file, 'latin1').replace(/^#!.*/, '');
  // the build id scripts/bundle.mjs ends the bundle with, and starts its cache file with
  const id = /\/\/# wren-build (\S+)\s*$/.exec(source.slice(-100))?.[1] ?? 'none';
  const stamp = `${CACHE_MAGIC} ${id}\n`;
  let cachedData: Buffer | undefined;
  try {
    const raw = readFileSync(`${file}.cache`);
    // only the cache made for this very bundle (V8 itself checks little more than the length)
    if (raw.subarray(0, stamp.length).toString('latin1') === stamp) cachedData = raw.subarray(stamp.length);
  } catch {
    // no cache: compile as usual
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  debug(`entry dist/bundle/cli.cjs, code cache ${cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'taken'}`);
  const writeTo = process.env.WREN_CODE_CACHE_WRITE;
  // at exit, the functions the run compiled are in the cache too
  if (writeTo) process.on('exit', () => writeFileSync(writeTo, Buffer.concat([Buffer.from(stamp, 'latin1'), script.createCachedData()])));
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run.call(mod.exports, mod.exports, mod.require.bind(mod) as NodeJS.Require, mod, file, dirname(file));
}

function debug(line: string): void {
  if (process.env.WREN_DEBUG_START) process.stderr.write(`wren: ${line}\n`);
}
