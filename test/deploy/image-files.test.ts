import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATHS, defaultConfigPath } from '../../src/config/default-path.js';
import { loadConfig } from '../../src/config/load.js';
import { builtinParsers } from '../../src/parsers/registry.js';
import { ROOT, runWren, tempDir } from '../helpers/cli.js';

/**
 * The image's recipe and the files it ships, checked without building it (scripts/test-image.sh
 * builds and runs it): what the issue asks of the Dockerfile, and that the shipped files work.
 */

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions with continuation lines joined and comments dropped. */
const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
const rootfs = (p: string) => join(ROOT, 'deploy', 'image', 'rootfs', p);

describe('Dockerfile', () => {
  const froms = instructions.map((l, i) => [l, i] as const).filter(([l]) => /^FROM\s/i.test(l));
  const runtime = instructions.slice(froms.at(-1)![1]);

  it('builds in two stages from base images given as build arguments, with well-kept defaults', () => {
    expect(instructions).toContain('ARG BUILD_IMAGE=docker.io/library/node:20-bookworm-slim');
    expect(instructions).toContain('ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot');
    expect(froms.map(([l]) => l)).toEqual(['FROM ${BUILD_IMAGE} AS build', 'FROM ${RUNTIME_IMAGE}']);
    expect(instructions.some((l) => /^RUN npm ci\b/.test(l))).toBe(true);
    expect(instructions.some((l) => /npm prune --omit=dev/.test(l))).toBe(true);
  });

  it('runs nothing in the runtime stage (no shell needed), runs Wren directly, with no HEALTHCHECK', () => {
    expect(runtime.filter((l) => /^RUN\s/i.test(l))).toEqual([]);
    expect(runtime).toContain('ENTRYPOINT ["node", "/opt/wren/dist/src/bin.cjs"]');
    expect(runtime).toContain('CMD ["run"]');
    expect(instructions.filter((l) => /^HEALTHCHECK\s/i.test(l))).toEqual([]);
    expect(runtime).toContain('USER 65532:65532');
  });

  it('gives Node the malloc setting the npm bin gives it (bin/wren.cjs: the image has no shell to run that line)', () => {
    const line = readFileSync(join(ROOT, 'bin', 'wren.cjs'), 'utf8').split('\n')[1]!;
    const value = /export MALLOC_TRIM_THRESHOLD_=(\d+);/.exec(line)?.[1];
    expect(value).toBeDefined();
    expect(runtime).toContain(`ENV MALLOC_TRIM_THRESHOLD_=${value}`);
  });

  it('labels the image with the OCI annotations', () => {
    for (const key of ['title', 'description', 'version', 'revision', 'created', 'source', 'licenses', 'base.name']) {
      expect(dockerfile).toMatch(new RegExp(`org\\.opencontainers\\.image\\.${key.replace('.', '\\.')}=`));
    }
  });

  it('sends the build only what it copies', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    const copied = instructions.filter((l) => /^COPY\s(?!--from)/i.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const c of copied) expect(ignore, c).toContain(c);
  });
});

describe('files the image ships', () => {
  it('its default config passes wren check', async () => {
    const r = await runWren(['check', '-c', rootfs('etc/wren/wren.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('the stock parsers file names every built-in parser and defines none (a built-in is never replaced)', () => {
    const text = readFileSync(rootfs('fluent-bit/etc/parsers.conf'), 'utf8');
    const listed = new Set(text.split('\n').filter((l) => /^# {3}[a-z]/.test(l)).flatMap((l) => l.slice(1).trim().split(/\s+/)));
    expect([...listed].sort()).toEqual([...builtinParsers().keys()].sort());
    expect(text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))).toEqual([]);
    // and a config naming it loads (with the loader of its kind)
    const dir = tempDir();
    const file = join(dir, 'w.yaml');
    writeFileSync(file, `service:\n  parsers_file: ${rootfs('fluent-bit/etc/parsers.conf')}\npipeline:\n  inputs:\n    - name: dummy\n  outputs:\n    - name: 'null'\n      match: '*'\n`);
    expect(loadConfig(file, { env: {} }).errors.map((e) => e.message)).toEqual([]);
  });

  it('Wren without -c reads /fluent-bit/etc/fluent-bit.conf first (FireLens mounts it), then /etc/wren/wren.yaml', () => {
    expect(DEFAULT_CONFIG_PATHS).toEqual(['/fluent-bit/etc/fluent-bit.conf', '/etc/wren/wren.yaml']);
    expect(defaultConfigPath(() => true)).toBe('/fluent-bit/etc/fluent-bit.conf');
    expect(defaultConfigPath((p) => p === '/etc/wren/wren.yaml')).toBe('/etc/wren/wren.yaml');
    expect(defaultConfigPath(() => false)).toBeUndefined();
  });
});
