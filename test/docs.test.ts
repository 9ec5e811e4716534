import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLUGINS } from '../plugins/index.js';
import { REFERENCE_END, REFERENCE_START, renderReference } from '../src/docs/reference.js';
import { ROOT } from './helpers/cli.js';

describe('README', () => {
  it("configuration reference is in step with the plugins' schemas (run `npm run docs` to update)", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const a = readme.indexOf(REFERENCE_START);
    const b = readme.indexOf(REFERENCE_END);
    expect(a).toBeGreaterThan(0);
    expect(readme.slice(a, b + REFERENCE_END.length)).toBe(renderReference(PLUGINS));
  });

  it('starts with the two commands: install-and-run, and the tests', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const firstBlock = /```(?:sh|bash)?\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(firstBlock).toMatch(/npm install && npm start/);
    expect(firstBlock).toMatch(/npm test/);
  });
});
