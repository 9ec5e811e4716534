import { existsSync } from 'node:fs';

/**
 * Where Wren looks for its configuration when no `-c FILE` is given, first match wins:
 * the Fluent Bit image's path (ECS FireLens mounts the config it generates there, and Fluent Bit
 * users mount theirs), then Wren's own. The container image ships only the second, so mounting a
 * fluent-bit.conf is enough to switch.
 */
export const DEFAULT_CONFIG_PATHS: readonly string[] = ['/fluent-bit/etc/fluent-bit.conf', '/etc/wren/wren.yaml'];

/** The first default config file that exists, or undefined. */
export function defaultConfigPath(exists: (path: string) => boolean = existsSync): string | undefined {
  return DEFAULT_CONFIG_PATHS.find((p) => exists(p));
}
