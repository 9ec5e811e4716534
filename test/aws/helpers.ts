import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { PluginOptions } from '../../src/config/types.js';
import { createLogger, type Logger } from '../../src/log.js';

/** The AWS documentation's example keys: never real ones. */
export const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** PluginOptions as the config loader would produce them (typed values). */
export function opts(values: Record<string, unknown>): PluginOptions {
  return new PluginOptions(new Map(Object.entries(values)), new Map());
}

/** A logger whose JSON lines the test can read. */
export function captureLogger(level = 'debug'): { log: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  let text = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { text += chunk.toString(); cb(); } });
  return {
    log: createLogger(level, sink),
    lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => text,
  };
}

export function tempDir(prefix = 'wren-aws-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFile(path: string, text: string, mode?: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode });
  return path;
}

/** A fake /sys: DMI files under class/dmi/id and, optionally, hypervisor/uuid. */
export function fakeSysfs(dmi: Record<string, string>, hypervisorUuid?: string): string {
  const root = tempDir('wren-sysfs-');
  for (const [k, v] of Object.entries(dmi)) writeFile(join(root, 'class', 'dmi', 'id', k), `${v}\n`);
  if (hypervisorUuid) writeFile(join(root, 'hypervisor', 'uuid'), `${hypervisorUuid}\n`);
  return root;
}

export const NOT_EC2_SYSFS = { sys_vendor: 'QEMU', product_name: 'Standard PC (Q35 + ICH9, 2009)', bios_vendor: 'SeaBIOS' };
export const EC2_SYSFS = { sys_vendor: 'Amazon EC2', product_name: 'm5.large', bios_vendor: 'Amazon EC2' };

/** The one line a user would see for a rejection (message and hint). */
export async function failLine(p: Promise<unknown>): Promise<string> {
  const { errorLine } = await import('../../src/errors.js');
  try {
    await p;
  } catch (err) {
    return errorLine(err);
  }
  throw new Error('expected a rejection');
}
