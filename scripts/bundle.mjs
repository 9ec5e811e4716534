#!/usr/bin/env node
// Bundles the CLI (src/cli.ts and everything it imports, node_modules included) into one CommonJS
// file, dist/bundle/cli.cjs, with esbuild's WebAssembly build, then makes V8's code cache for it:
// the `wren` bin (src/bin.cts) compiles the bundle with that cache, so start-up skips compiling
// the functions a run uses. Plugin implementations stay lazy: esbuild turns the dynamic imports
// into functions that evaluate a module on first use. `npm run build` runs this after tsc.
//
// The cache is made by running the bundle once ("training", through the bin with
// WREN_CODE_CACHE_WRITE): a tail → kubernetes → http pipeline on a few lines, against a loopback
// server here, so the functions of start-up, config loading, the engine, tail and an HTTP output
// are in it. The bundle ends with a build id and the cache file starts with it: the bin uses a
// cache only with the bundle it was made for (V8 itself checks little more than the source's
// length), whatever copying did to the files' mtimes.
import { build } from 'esbuild-wasm';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * undici's HTTP/2 client requires node:http2 when it loads, for a few constants: about 1.2 MB of
 * RSS (its JS and the code it compiles), in every process with a network output, though Wren never
 * asks undici for HTTP/2. In the bundle, that require gets those constants (copied here from this
 * Node) and the module itself only when something else of it is used.
 */
function deferHttp2() {
  const constants = JSON.stringify(Object.fromEntries(Object.entries(require('node:http2').constants)));
  return {
    name: 'defer-http2',
    setup(b) {
      b.onResolve({ filter: /^node:http2$/ }, (args) => (/undici[\\/]lib[\\/]dispatcher[\\/]client-h2\.js$/.test(args.importer) ? { path: 'http2', namespace: 'deferred-http2' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'deferred-http2' }, () => ({
        loader: 'js',
        contents: `const constants = ${constants};\nlet real;\nmodule.exports = new Proxy({ constants }, { get: (_, k) => (k === 'constants' ? constants : (real ??= require('node:http2'))[k]) });\n`,
      }));
    },
  };
}

/**
 * pino loads node:worker_threads when it loads: tools.js for `isMainThread`, and lib/transport.js
 * through thread-stream, for transports (logging from a worker thread). Wren logs from its main
 * thread to a file descriptor and never asks pino for a transport, and the module (with the
 * worker and performance internals it brings) is about 0.5 MB of RSS in every process. In the
 * bundle, tools.js is told it runs on the main thread (it only decides there whether to flush
 * an asynchronous destination at exit; Wren's is synchronous), and thread-stream loads only if a
 * transport is ever made.
 */
function deferPinoWorkers() {
  return {
    name: 'defer-pino-workers',
    setup(b) {
      b.onResolve({ filter: /^(node:)?worker_threads$/ }, (args) => (/pino[\\/]lib[\\/]tools\.js$/.test(args.importer) ? { path: 'worker_threads', namespace: 'pino-main-thread' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'pino-main-thread' }, () => ({ loader: 'js', contents: 'module.exports = { isMainThread: true };\n' }));
      b.onResolve({ filter: /^thread-stream$/ }, (args) => (/pino[\\/]lib[\\/]transport\.js$/.test(args.importer) ? { path: 'thread-stream', namespace: 'deferred-thread-stream' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'deferred-thread-stream' }, () => ({
        loader: 'js',
        resolveDir: join(root, 'node_modules', 'pino', 'lib'),
        contents: "module.exports = function ThreadStream(...args) { return new (require('thread-stream'))(...args); };\n",
      }));
    },
  };
}

/**
 * undici and sonic-boom (pino's destination) load node:assert for `assert(condition, message)`
 * alone: the module brings its error formatting and comparison internals, about 0.3 MB of RSS. In
 * the bundle they get that one function (an AssertionError as Node's, code ERR_ASSERTION); any
 * other property of it loads the real module.
 */
function leanAssert() {
  return {
    name: 'lean-assert',
    setup(b) {
      b.onResolve({ filter: /^(node:)?assert$/ }, (args) => (/node_modules[\\/](undici|sonic-boom)[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'lean-assert' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'lean-assert' }, () => ({
        loader: 'js',
        contents: `class AssertionError extends Error {
  constructor(message) { super(message); this.name = 'AssertionError'; this.code = 'ERR_ASSERTION'; }
}
function assert(value, message) {
  if (value) return;
  if (message instanceof Error) throw message;
  throw new AssertionError(message === undefined ? 'The expression evaluated to a falsy value' : String(message));
}
assert.ok = assert;
assert.AssertionError = AssertionError;
module.exports = new Proxy(assert, { get: (t, k) => (k in t ? t[k] : require('node:assert')[k]) });
`,
      }));
    },
  };
}

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
const t0 = performance.now();
await build({
  entryPoints: [join(root, 'src', 'cli.ts')],
  outfile: join(outdir, 'cli.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: process.env.BUNDLE_MINIFY !== '0',
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  // ASCII only (non-ASCII characters escaped): the bin reads the bundle as latin1, 4 ms against 16 for UTF-8
  charset: 'ascii',
  // the sources are ES modules: import.meta.url is this file's URL
  define: { 'import.meta.url': '__wrenImportMetaUrl' },
  banner: { js: "const __wrenImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  plugins: [deferHttp2(), deferPinoWorkers(), leanAssert()],
});
const text = readFileSync(join(outdir, 'cli.cjs'));
if (text.some((b) => b > 0x7f)) throw new Error('dist/bundle/cli.cjs has non-ASCII bytes: the bin reads it as latin1');
appendFileSync(join(outdir, 'cli.cjs'), `\n//# wren-build ${randomUUID()}\n`);
const bundled = performance.now();

// training run: loopback only
const dir = mkdtempSync(join(tmpdir(), 'wren-bundle-'));
let requests = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const ts = '2026-01-01T00:00:00.000000000Z';
const lines = Array.from({ length: 200 }, (_, i) => `${ts} stdout F {"level":"info","msg":"line ${i}","n":${i}}\n`).join('');
writeFileSync(join(dir, 'web-0_default_web-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log'), lines);
writeFileSync(join(dir, 'wren.yaml'), `service:
  flush: 50ms
  log_level: error
pipeline:
  inputs:
    - name: tail
      path: ${dir}/*.log
      tag: kube.*
      read_from_head: on
      exit_on_eof: on
      multiline.parser: cri
  filters:
    - name: kubernetes
      match: kube.*
      use_tag_for_meta: on
      merge_log: on
  outputs:
    - name: http
      match: '*'
      host: 127.0.0.1
      port: ${server.address().port}
      format: json_lines
`);
const cache = join(outdir, 'cli.cjs.cache');
// the tests' loopback guard, where the tree has it (a clone; the image build copies no tests):
// the training run refuses any non-loopback connection
const guard = join(root, 'test', 'helpers', 'loopback-guard-preload.mjs');
const child = spawn(process.execPath, [...(existsSync(guard) ? ['--import', guard] : []), join(root, 'dist', 'src', 'bin.cjs'), 'run', '-c', join(dir, 'wren.yaml')], {
  cwd: dir,
  env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_EC2_METADATA_DISABLED: 'true', WREN_ENTRY: 'bundle', WREN_CODE_CACHE_WRITE: cache },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const code = await new Promise((r) => child.on('exit', r));
server.close();
rmSync(dir, { recursive: true, force: true });
if (code !== 0 || requests === 0) {
  console.error(`the bundle's training run failed (exit ${code}, ${requests} requests): dist/bundle/cli.cjs does not work`);
  process.exit(1);
}
const files = readdirSync(outdir);
const size = (f) => (statSync(join(outdir, f)).size / 1024).toFixed(0);
console.log(`bundled into ${outdir} in ${((bundled - t0) / 1000).toFixed(1)} s: cli.cjs ${size('cli.cjs')} KiB, its code cache ${files.includes('cli.cjs.cache') ? size('cli.cjs.cache') + ' KiB' : 'missing'} (${((performance.now() - bundled) / 1000).toFixed(1)} s)`);
