import type { WrenConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import { redact } from '../redact.js';

/** Where an output sends: its host option, its endpoint, else the service's default endpoint. */
function destination(o: WrenConfig['outputs'][number]): string {
  const host = o.options.optStr('host');
  if (host) return `${host}${o.options.has('port') ? `:${o.options.raw('port')}` : ''}`;
  const endpoint = o.options.optStr('endpoint');
  return endpoint ? redact(endpoint) : 'its default endpoint';
}

/**
 * Certificate checks that are off are said once, at start: which output, which host. Nothing
 * else would tell an operator that a man in the middle would go unnoticed.
 */
export function warnUncheckedTls(config: WrenConfig, log: Logger): void {
  for (const o of config.outputs) {
    const keys = new Set(o.def.options.map((s) => s.key));
    if (keys.has('tls.verify') && o.options.has('tls.verify') && !o.options.bool('tls.verify')) {
      const on = !keys.has('tls') || o.options.bool('tls');
      if (on) log.warn({ plugin: o.id }, `output '${o.id}': tls.verify is off: the certificate of ${destination(o)} is not checked`);
    }
    if (keys.has('proxy.tls.verify') && o.options.has('proxy.tls.verify') && !o.options.bool('proxy.tls.verify')) {
      log.warn({ plugin: o.id }, `output '${o.id}': proxy.tls.verify is off: the certificate of its https:// proxy is not checked`);
    }
  }
}
