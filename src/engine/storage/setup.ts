import { join } from 'node:path';
import type { PluginConfig } from '../../config/load.js';
import type { StorageConfig } from '../../config/service.js';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { InstanceMetrics } from '../metrics.js';
import { DiskChunks } from './disk-chunks.js';
import { OutputStore } from './output-store.js';

export type StorageType = 'memory' | 'filesystem' | 'memrb';

/** An input's `storage.type`; filesystem needs the service's storage.path. */
export function inputStorageType(ic: PluginConfig, storage: StorageConfig): StorageType {
  // storage.inherit: an input that does not say takes filesystem storage when there is a storage.path
  const inherit = storage.inherit && storage.path !== undefined && !ic.options.isSet('storage.type');
  const t = inherit ? 'filesystem' : ic.options.str('storage.type') as StorageType;
  if (t === 'filesystem' && !storage.path) {
    throw new ConfigError(`input '${ic.id}': storage.type filesystem needs a folder for the chunk files`, ic.options.pos('storage.type') ?? ic.pos,
      { hint: "set storage.path in the service section, e.g. storage.path /var/lib/wren/storage" });
  }
  return t;
}

/** An output's chunk files, when the service has a storage.path. */
export function outputDisk(storage: StorageConfig, oc: PluginConfig, metrics: InstanceMetrics, log: Logger,
  onBlocked: (reason: string) => void, onUnblocked: () => void): DiskChunks | undefined {
  if (!storage.path) return undefined;
  const store = new OutputStore({
    root: storage.path,
    sync: storage.sync === 'full',
    checksum: storage.checksum,
    maxChunksUp: storage.maxChunksUp,
    waitingBytesUp: storage.backlogMemLimit,
    deleteIrrecoverable: storage.deleteIrrecoverableChunks,
    totalLimitSize: oc.options.optNum('storage.total_limit_size'),
    rejectedDir: storage.keepRejected ? join(storage.path, storage.rejectedPath ?? 'rejected') : undefined,
  }, oc.id, log, metrics);
  return new DiskChunks(store, log, onBlocked, onUnblocked);
}
