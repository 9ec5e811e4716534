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

/**
 * The old generation's next collection comes when it has grown by half, not by V8's own factor
 * (up to 4x for a small heap): records that lived through a flush wait there for a full
 * collection. Measured on tail → kubernetes → opensearch: peak RSS 4 MB lower at the same speed
 * (at 30%, slower; --optimize-for-size: 13 MB lower, a third slower).
 */
export const OLD_GROWTH = '--heap-growing-percent=50';

/** All of them, as the CLI ends up with them. */
export const CLI_V8_FLAGS = [...LINEAR_REGEX_FLAGS, LIFTOFF_ONLY, EXPOSE_GC, OLD_GROWTH];
