#!/usr/bin/env node
// Rewrites the configuration reference in README.md from the plugins' option specs (uses dist/).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGINS } from '../dist/plugins/index.js';
import { renderReference, spliceReference } from '../dist/src/docs/reference.js';

const file = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'README.md');
const before = readFileSync(file, 'utf8');
const after = spliceReference(before, renderReference(PLUGINS));
if (after !== before) writeFileSync(file, after);
console.log(after === before ? 'README reference is up to date' : 'README reference rewritten');
