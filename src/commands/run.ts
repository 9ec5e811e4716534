import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { monotonicMs } from '../clock.js';
import { configureLogJson } from '../codec/log-json.js';
import { loadConfig } from '../config/load.js';
import { HeapGovernor } from '../engine/heap-governor.js';
import { Pipeline } from '../engine/pipeline.js';
import { ConfigErrorList, errorLine } from '../errors.js';
import { createLogger } from '../log.js';
import { warnUncheckedTls } from '../net/tls-warn.js';
import { unboundedPatterns, unboundedWarning } from '../parsers/linear-regex.js';
import { wrenVersion } from '../version.js';
import type { ConfigSource } from './check.js';

export interface RunIo {
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
}

/** Exit codes: 0 all delivered; 1 configuration or start-up error; 2 records were dropped. */
export const EXIT_DROPPED = 2;

/**
 * `wren run -c FILE`: run until a signal (then flush within service.grace) or until every
 * input has finished (then flush everything). Resolves to the exit code.
 */
export async function runPipeline(source: ConfigSource | string, io: RunIo): Promise<number> {
  const started = monotonicMs();
  const src = typeof source === 'string' ? { file: source } : source;
  const { config, errors, warnings } = loadConfig(src.file, { env: io.env, flags: src.flags, parsersFiles: src.parsersFiles });
  if (!config) {
    for (const e of errors) io.stderr.write(e.toLine() + '\n');
    return 1;
  }
  const file = config.file;
  let log;
  try {
    log = createLogger(config.service.logLevel, config.service.logFile !== undefined ? { file: resolve(config.baseDir, config.service.logFile) } : 2);
  } catch (err) {
    io.stderr.write(`cannot open log_file '${config.service.logFile}' (${(err as NodeJS.ErrnoException).code ?? errorLine(err)}): check the path and its folder's permissions\n`);
    return 1;
  }
  const logged = log;
  configureLogJson({
    maxDepth: config.service.jsonMaxDepth,
    onFirstDeep: (d) => logged.warn(`a JSON log line nests deeper than json.max_depth (${d}): deeper values are kept as JSON text (counted in wren_json_deep_values_total; raise service json.max_depth to keep more levels as maps; logged once)`),
  });
  for (const w of warnings) log.warn(w.toLine());
  warnUncheckedTls(config, log);
  // node:dns (0.3 MB of RSS with its resolver) loads only for this: connections look names up without it
  if (config.service.dnsPreferIpv4) (await import('node:dns')).setDefaultResultOrder('ipv4first');
  const pipeline = new Pipeline(config, log, io.env);
  // the young generation follows the load; memory goes back once Wren is quiet (see heap-governor.ts)
  const heap = new HeapGovernor({ flowing: () => pipeline.inputsFlowing() });
  let server: Server | undefined;
  try {
    await pipeline.build();
    // node:http and the metrics renderers load only when the server is on
    if (config.service.httpServer) server = await (await import('../server/http-server.js')).startHttpServer(pipeline.metrics, config.service, log, wrenVersion());
    for (const [pattern, why] of unboundedPatterns()) log.warn(unboundedWarning(pattern, why));
    await pipeline.start();
    // from here: the CPU of loading and building is not load (it grew the young generation to
    // its ceiling at the start of an outage, 7-8 MB of RSS for as long as the outage lasted)
    heap.start();
  } catch (err) {
    const lines = err instanceof ConfigErrorList ? err.errors.map((e) => e.toLine()) : [errorLine(err)];
    for (const l of lines) io.stderr.write(l + '\n');
    server?.close();
    heap.stop();
    await pipeline.dispose();
    return 1;
  }
  log.info({ version: wrenVersion(), config: file }, 'wren started');
  if (config.service.hotReload) log.warn('hot_reload is on, but reloading is not supported yet: restart Wren to apply a changed configuration');

  const finished = await new Promise<boolean>((resolve) => {
    let signalled = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalled) {
        log.warn(`second ${sig}: exiting without waiting`);
        process.exit(1);
      }
      signalled = true;
      log.info(`${sig} received: stopping inputs, flushing for up to ${config.service.graceMs} ms`);
      // also cuts a bounded run's drain short if it is already under way
      pipeline.limitDrain(config.service.graceMs);
      resolve(false);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    void pipeline.inputsFinished.then(() => resolve(true));
  });
  if (finished) log.info('every input has finished: flushing outputs');
  const { dropped } = await pipeline.shutdown();
  heap.stop();
  server?.close();
  const stopped = pipeline.metrics.total('input', 'files_stopped');
  const code = dropped > 0 || stopped > 0 ? EXIT_DROPPED : 0;
  if (dropped > 0) log.error({ dropped }, `${dropped} record(s) were not delivered`);
  if (stopped > 0) log.error({ files: stopped }, `${stopped} file(s) were not read to the end (a line over buffer_max_size): see the tail errors above`);
  log.info({ exit_code: code }, 'wren stopped');
  writeRunReport(io.env.WREN_RUN_REPORT, pipeline, started, code);
  return code;
}

/** WREN_RUN_REPORT=path: a JSON summary at exit (benchmarks read CPU, peak RSS and counts). */
function writeRunReport(path: string | undefined, p: Pipeline, started: number, code: number): void {
  if (!path) return;
  const ru = process.resourceUsage();
  const m = p.metrics;
  const report = {
    exit_code: code,
    wall_ms: monotonicMs() - started,
    cpu_user_s: ru.userCPUTime / 1e6,
    cpu_system_s: ru.systemCPUTime / 1e6,
    max_rss_mb: ru.maxRSS / 1024,
    records_in: m.total('input', 'records'),
    bytes_in: m.total('input', 'bytes'),
    records_out: m.total('output', 'proc_records'),
    dropped: p.droppedRecords,
  };
  writeFileSync(path, JSON.stringify(report) + '\n');
}
