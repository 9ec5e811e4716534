import { createRequire } from 'node:module';

/**
 * A Node module loaded the first time it is asked for, not when the importing file loads. For
 * built-in modules a run may never use: each is 0.2-0.9 MB of RSS for as long as Wren runs
 * (node:tls, node:zlib, node:crypto, node:perf_hooks; test/e2e/lean-modules.test.ts lists what a
 * tail -> http run loads).
 */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= createRequire(import.meta.url)(id) as T);
}

/** node:crypto on first use. */
export const nodeCrypto = lazyRequire<typeof import('node:crypto')>('node:crypto');
