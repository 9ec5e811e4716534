#!/bin/sh
':' //; [ -n "${MALLOC_TRIM_THRESHOLD_+x}" ] || export MALLOC_TRIM_THRESHOLD_=131072; exec node "$0" "$@"
/*
 * The `wren` command as npm installs it (package.json "bin"): a shell line, then Node.
 *
 * The shell line gives glibc's malloc a fixed trim threshold before Node starts (glibc reads it
 * only then): by default the first large block freed (a 2 MB chunk buffer) raises malloc's
 * mmap threshold to its size, and from then on such blocks come from the heap, which keeps the
 * high-water mark of every size in use. Fixed, they are mapped and unmapped as they come and go:
 * peak RSS 8-11 MB lower at full speed (tail → kubernetes → opensearch: 100 → 91-93 MB; to
 * CloudWatch Logs 99 → 93-95 MB), the same speed. A value set by the user is kept. The image
 * sets the same in its environment (Dockerfile). Node then runs this file as JavaScript, where
 * the shell line is a string and a comment, and it runs dist/src/bin.cjs.
 */
require('../dist/src/bin.cjs');
