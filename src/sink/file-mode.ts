import type { OptionSpec, PluginOptions } from '../config/types.js';
import { ConfigError } from '../errors.js';

/**
 * Permissions of files Wren creates with log data in them (file output, dead letters): records
 * may hold what only their owner should read, so they are created 0600 unless the user says
 * otherwise. An existing file keeps its mode.
 */
export const DEFAULT_FILE_MODE = '0600';

export function fileModeOption(key: string, what: string): OptionSpec {
  return { key, type: 'string', default: DEFAULT_FILE_MODE, desc: `Permissions (octal) of ${what} when Wren creates it; an existing file keeps its own.` };
}

/** `0600`, `600`, `0o640` → the mode bits. */
export function fileMode(o: PluginOptions, key: string, id: string): number {
  const text = o.str(key).trim();
  const m = /^(?:0o?)?([0-7]{3,4})$/i.exec(text);
  if (!m) {
    throw new ConfigError(`'${id}': ${key} '${text}' is not an octal file mode`, o.pos(key), { hint: 'write it as 0600, 0640 or 0644' });
  }
  return parseInt(m[1]!, 8);
}
