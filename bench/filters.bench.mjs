// record_modifier, nest, rewrite_tag and aws filters, in-process: events/s of filter() on a batch
// of 100,000 container-like records (fresh records each round; best of 3 rounds, CPU time too).
// rewrite_tag runs with an emitter that only collects (the cost of the filter, not of the
// re-emitted records' second trip); aws has its metadata from a loopback IMDS before it is timed.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ROOT } from './lib.mjs';

const { recordModifierFilter } = await import(join(ROOT, 'dist/plugins/filter_record_modifier/index.js'));
const { nestFilter } = await import(join(ROOT, 'dist/plugins/filter_nest/index.js'));
const { rewriteTagFilter } = await import(join(ROOT, 'dist/plugins/filter_rewrite_tag/index.js'));
const { awsFilter } = await import(join(ROOT, 'dist/plugins/filter_aws/index.js'));
const { resolveOptions } = await import(join(ROOT, 'dist/src/config/options-resolve.js'));
const { instanceOptions } = await import(join(ROOT, 'dist/src/config/common-options.js'));
const { buildParsers } = await import(join(ROOT, 'dist/src/parsers/registry.js'));
const { createLogger } = await import(join(ROOT, 'dist/src/log.js'));

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const pos = { file: 'bench', line: 1, col: 1 };
const silent = createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() }));
const opts = (def, entries) => {
  const raw = entries.map(([key, value]) => ({ key, value, pos }));
  const r = resolveOptions({ kind: 'filter', name: def.name, entries: [{ key: 'match', value: '*', pos }, ...raw], pos }, instanceOptions('filter', def.options), def.name);
  if (r.errors.length) throw new Error(r.errors.map((e) => e.toLine()).join('\n'));
  return r.options;
};
let emitted = 0;
const ctxFor = (def, entries, env = {}) => ({
  id: `${def.name}.0`, options: opts(def, entries), log: silent, metrics: { add() {} }, parsers: buildParsers([]).lookup,
  signal: new AbortController().signal, baseDir: ROOT, env,
  createEmitter: (o) => ({ id: o.name, emit: (events) => { emitted += events.length; return true; } }),
});

const LEVELS = ['info', 'info', 'info', 'warn', 'error'];
const record = (i) => ({
  time: '2025-03-14T09:00:00.123456789Z', stream: 'stdout', level: LEVELS[i % 5],
  log: `request completed method=GET path=/v1/items/${i % 997} status=200 duration_ms=${i % 97}`,
  'http.method': 'GET', 'http.path': `/v1/items/${i % 997}`, 'http.status': 200,
  kubernetes: { pod_name: `checkout-7d9f8b6c5-${i % 7}`, namespace_name: i % 3 ? 'shop' : 'kube-system', container_name: 'checkout' },
});
const batch = () => { const b = new Array(N); for (let i = 0; i < N; i++) b[i] = { time: 1741942800000 + i, record: record(i) }; return b; };

async function measure(name, inst, tag = 'kube.var.log.containers.checkout') {
  inst.filter(batch().slice(0, 1000), tag); // warm up
  let best = Infinity;
  let cpuBest = Infinity;
  for (let round = 0; round < 3; round++) {
    const b = batch();
    globalThis.gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const out = inst.filter(b, tag);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (!Array.isArray(out)) throw new Error(`${name}: filter returned a promise`);
    best = Math.min(best, ms);
    cpuBest = Math.min(cpuBest, (cpu.user + cpu.system) / 1000);
  }
  const eps = Math.round(N / (best / 1000));
  console.log(`${name.padEnd(52)} ${String(eps.toLocaleString('en-US')).padStart(12)} events/s  (${best.toFixed(1)} ms wall, ${cpuBest.toFixed(1)} ms CPU for ${N.toLocaleString('en-US')})`);
  console.log(JSON.stringify({ scenario: `filter.${name}`, events: N, wall_ms: +best.toFixed(1), cpu_ms: +cpuBest.toFixed(1), events_per_s: eps }));
  await inst.stop?.();
}

const make = async (def, entries, env) => def.create(ctxFor(def, entries, env));

await measure('record_modifier record×2', await make(recordModifierFilter, [['record', ['cluster prod-eu', 'team core']]]));
await measure('record_modifier record×2 + remove_key×2 + uuid_key', await make(recordModifierFilter, [['record', ['cluster prod-eu', 'team core']], ['remove_key', ['stream', 'http.*']], ['uuid_key', 'event_id']]));
await measure('record_modifier allowlist_key×3', await make(recordModifierFilter, [['allowlist_key', ['log', 'level', 'kubernetes']]]));
await measure('nest nest http.* under http (remove_prefix)', await make(nestFilter, [['operation', 'nest'], ['wildcard', 'http.*'], ['nest_under', 'http'], ['remove_prefix', 'http.']]));
await measure('nest lift kubernetes', await make(nestFilter, [['operation', 'lift'], ['nested_under', 'kubernetes'], ['add_prefix', 'k8s_']]));
emitted = 0;
await measure('rewrite_tag 2 rules (20% re-tagged, KEEP false)', await make(rewriteTagFilter, [['rule', ['$level ^(error|fatal)$ alert.$1.$TAG[4] false', "$kubernetes['namespace_name'] ^nothing$ x false"]]]));
await measure('rewrite_tag 1 rule, accessor key (33%, KEEP true)', await make(rewriteTagFilter, [['rule', "$kubernetes['namespace_name'] ^kube-system$ system.$kubernetes['namespace_name'] true"]]));
await measure('rewrite_tag no match', await make(rewriteTagFilter, [['rule', '$level ^debug$ dbg false']]));

// aws: metadata from a loopback IMDS, then timed
const META = {
  '/latest/meta-data/placement/availability-zone': 'eu-west-1b', '/latest/meta-data/instance-id': 'i-0fedcba9876543210',
  '/latest/meta-data/instance-type': 'c6g.xlarge', '/latest/meta-data/local-ipv4': '10.0.1.23', '/latest/meta-data/hostname': 'ip-10-0-1-23.ec2.internal',
};
const imds = createServer((req, res) => {
  if (req.method === 'PUT') return void res.writeHead(200, { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' }).end('tok');
  const v = META[req.url];
  res.writeHead(v === undefined ? 404 : 200).end(v ?? 'Not Found');
});
await new Promise((r) => imds.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${imds.address().port}`;
for (const [name, extra] of [['aws defaults (az, ec2_instance_id)', []], ['aws 5 fields', [['ec2_instance_type', 'on'], ['private_ip', 'on'], ['hostname', 'on']]]]) {
  const inst = await make(awsFilter, [['aws_imds', 'on'], ['aws_imds_endpoint', url], ...extra]);
  const probe = { time: 0, record: {} };
  for (let t0 = Date.now(); !('az' in probe.record) && Date.now() - t0 < 5000;) { await new Promise((r) => setTimeout(r, 10)); inst.filter([probe], 't'); }
  if (!('az' in probe.record)) throw new Error('aws: metadata did not arrive from the loopback IMDS');
  await measure(name, inst);
}
imds.close();
