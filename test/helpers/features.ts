import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from './cli.js';

/**
 * Whether Wren already reads the configs that deploy/ ships: Fluent Bit's classic format with
 * @INCLUDE, the [SERVICE] keys of a DaemonSet config, and filesystem storage. Those features come
 * from other work in flight; until they land, the tests that `wren check` the shipped classic
 * configs are skipped with this reason, and they run (and must pass) from the day they do.
 */
export function shippedConfigSupport(): { ok: boolean; reason: string } {
  const dir = tempDir('wren-features-');
  mkdirSync(join(dir, 'state'));
  writeFileSync(join(dir, 'inputs.conf'), '[INPUT]\n    Name          dummy\n    storage.type  filesystem\n');
  const file = join(dir, 'fluent-bit.conf');
  writeFileSync(file, [
    '[SERVICE]', '    Flush         5', '    Daemon        off', '    HTTP_Server   On', '    Health_Check  On',
    `    storage.path  ${join(dir, 'state')}`, '    storage.sync  normal', '    storage.backlog.mem_limit 5M', '',
    '@INCLUDE inputs.conf', '', '[OUTPUT]', '    Name   null', '    Match  *', '',
  ].join('\n'));
  const { errors } = loadConfig(file, { env: {} });
  return errors.length === 0
    ? { ok: true, reason: '' }
    : { ok: false, reason: `Wren does not read this classic config yet: ${errors.map((e) => e.message).join('; ')}` };
}
