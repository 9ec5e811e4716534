/**
 * The V8 flags Wren sets for itself at run time, in one place. CommonJS so that the bin
 * (src/bin.cts) can set them all before it compiles the bundle: V8 takes a code cache only under
 * the flags it was made with, and the build's training run ends with every one of these set.
 */

/** Re-run a regex that backtracks too much on V8's linear-time engine (src/parsers/linear-regex.ts). */
export const LINEAR_REGEX_FLAGS = ['--enable-experimental-regexp-engine', '--enable-experimental-regexp-engine-on-excessive-backtracks'];

/** WebAssembly on the baseline tier only (src/engine/heap-governor.ts: its tier-up's memory stays behind). */
export const LIFTOFF_ONLY = '--liftoff-only';

/** `gc` in contexts made afterwards, for the heap governor's collection when Wren is quiet. */
export const EXPOSE_GC = '--expose-gc';

/** All of them, as the CLI ends up with them. */
export const CLI_V8_FLAGS = [...LINEAR_REGEX_FLAGS, LIFTOFF_ONLY, EXPOSE_GC];
