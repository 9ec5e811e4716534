import type { PluginOptions } from '../../config/types.js';
import { ConfigError } from '../../errors.js';
import { compileAwsTimeFormat, DEFAULT_TIME_KEY_FORMAT, type TimeFlavor } from '../../codec/aws-time-format.js';
import { destinationFromOptions, type DestinationKeys } from '../../net/options.js';
import { compileAccessor, type Path } from '../../record/accessor.js';
import type { StreamService } from './service.js';

/** What the record shaper needs (see shape.ts). */
export interface ShapeOptions {
  logKey?: Path;
  dataKeys?: ReadonlySet<string>;
  replaceDots?: string;
  timeKey?: string;
  timeFormat?: (ms: number) => string;
  newline: boolean;
}

export type Compression = 'gzip' | 'zlib' | undefined;

export interface PutRecordsConfig extends DestinationKeys {
  service: StreamService;
  /** Delivery stream or stream name. */
  target: string;
  /** core: Fluent Bit's C plugins (an oversize record is dropped); go: the Go plugins (it is truncated). */
  flavor: TimeFlavor;
  shape: ShapeOptions;
  logKeyText?: string;
  compression: Compression;
  simpleAggregation: boolean;
  kplAggregation: boolean;
  partitionKey?: Path;
  autoRetry: boolean;
  endpoint?: string;
  warnings: string[];
}

/** `kubernetes->pod_name` (Go plugin), `$kubernetes['pod_name']` or `pod` → a path. */
export function partitionKeyPath(text: string): Path | undefined {
  const t = text.trim();
  if (t.includes('->')) {
    const parts = t.split('->').map((p) => p.trim());
    return parts.every((p) => p.length > 0) ? parts : undefined;
  }
  return compileAccessor(t);
}

export function readPutRecordsConfig(id: string, o: PluginOptions, service: StreamService, flavor: TimeFlavor): PutRecordsConfig {
  const label = `output '${id}'`;
  const targetKey = service.targetKey;
  const target = o.str(targetKey).trim();
  if (!target) throw new ConfigError(`${label}: ${targetKey} is empty`, o.pos(targetKey), { hint: `set ${targetKey} to the name of the ${service.what}` });
  const warnings: string[] = [];

  const keyText = o.optStr('log_key')?.trim() || undefined;
  const logKey = keyText === undefined ? undefined : compileAccessor(keyText);
  if (keyText !== undefined && logKey === undefined) {
    throw new ConfigError(`${label}: log_key '${keyText}' is not a key or a record accessor`, o.pos('log_key'), { hint: "write it as log or $kubernetes['pod_name']" });
  }
  const dataKeys = o.has('data_keys') ? new Set(o.list('data_keys').map((k) => k.trim()).filter(Boolean)) : undefined;
  const replaceDots = o.optStr('replace_dots');
  const timeKey = o.optStr('time_key')?.trim() || undefined;
  const timeFormatText = o.optStr('time_key_format') ?? DEFAULT_TIME_KEY_FORMAT;
  if (timeKey !== undefined && keyText !== undefined) warnings.push(`${label}: time_key is not added with log_key (only the value of log_key is sent)`);

  const comp = o.optStr('compression')?.toLowerCase();
  const compression: Compression = comp === 'gzip' || comp === 'zlib' ? comp : undefined;

  const kpl = service.partitionKeys && o.bool('aggregation');
  const simple = o.bool('simple_aggregation');
  if (kpl && simple) {
    throw new ConfigError(`${label}: aggregation and simple_aggregation cannot both be on`, o.pos('simple_aggregation'), { hint: 'keep one: aggregation writes KPL records, simple_aggregation newline-joined ones' });
  }
  const pkText = service.partitionKeys ? o.optStr('partition_key')?.trim() || undefined : undefined;
  const partitionKey = pkText === undefined ? undefined : partitionKeyPath(pkText);
  if (pkText !== undefined && partitionKey === undefined) {
    throw new ConfigError(`${label}: partition_key '${pkText}' is not a key`, o.pos('partition_key'), { hint: "write it as container_id, kubernetes->pod_name or $kubernetes['pod_name']" });
  }
  if (o.has('experimental_concurrency')) warnings.push(`${label}: experimental_concurrency is not used; set workers for flushes in flight`);

  const newline = service.partitionKeys ? o.bool('append_newline') : true;
  const requestTimeout = o.optNum('http_request_timeout');
  return {
    service,
    target,
    flavor,
    shape: {
      logKey,
      dataKeys: dataKeys && dataKeys.size > 0 ? dataKeys : undefined,
      replaceDots: replaceDots === undefined || replaceDots === '' ? undefined : replaceDots,
      timeKey: keyText === undefined ? timeKey : undefined,
      timeFormat: timeKey === undefined ? undefined : compileAwsTimeFormat(timeFormatText, flavor),
      newline,
    },
    logKeyText: keyText,
    compression,
    simpleAggregation: simple,
    kplAggregation: kpl,
    partitionKey,
    autoRetry: o.bool('auto_retry_requests'),
    endpoint: o.optStr('endpoint')?.trim() || undefined,
    ...destinationFromOptions(o),
    ...(requestTimeout ? { ioTimeoutMs: requestTimeout } : {}),
    warnings,
  };
}
