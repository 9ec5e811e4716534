// Why the forward input decodes with msgpackr: PackedForward entry streams (1,000 Docker/FireLens
// records a chunk, EventTime ext 0) decoded by msgpackr in pure-JS mode (as Wren runs it: its
// native extractor is not installed) and by @msgpack/msgpack, alternately, in this process.
// BENCH_CHUNKS overrides the chunk count (default 300); BENCH_RUNS the rounds (default 3).
import { Decoder, Encoder, ExtensionCodec } from '@msgpack/msgpack';
import { addExtension, Unpackr } from 'msgpackr/unpack';

const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 300);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
const PER = 1000;

class EventTime { constructor(ms) { this.ms = ms; } }
const codec = new ExtensionCodec();
codec.register({
  type: 0,
  encode: (v) => {
    if (!(v instanceof EventTime)) return null;
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, Math.floor(v.ms / 1000));
    dv.setUint32(4, (v.ms % 1000) * 1e6);
    return b;
  },
  decode: (d) => {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    return new EventTime(dv.getUint32(0) * 1000 + dv.getUint32(4) / 1e6);
  },
});
addExtension({ type: 0, unpack: (b) => new EventTime(b.readUInt32BE(0) * 1000 + b.readUInt32BE(4) / 1e6) });

const enc = new Encoder({ extensionCodec: codec });
const ID = 'c7'.repeat(32);
const chunks = [];
for (let c = 0; c < CHUNKS; c++) {
  const parts = [];
  for (let j = 0; j < PER; j++) {
    const i = c * PER + j;
    parts.push(enc.encode([new EventTime(1710406800000 + i), { container_id: ID, container_name: '/ecs-web-1', source: i % 10 ? 'stdout' : 'stderr',
      log: `{"level":"info","msg":"request completed","path":"/v1/items/${i % 9000}","status":200,"duration_ms":${i % 97},"trace_id":"${(i * 2654435761 >>> 0).toString(16)}4bf92f3577b34da6"}` }]));
  }
  chunks.push(Buffer.concat(parts));
}
const bytes = chunks.reduce((a, b) => a + b.length, 0);
console.log(`${(CHUNKS * PER).toLocaleString('en-US')} entries in ${CHUNKS} chunks, ${(bytes / 1048576).toFixed(1)} MiB`);

const decoder = new Decoder({ extensionCodec: codec });
const unpackr = new Unpackr({ mapsAsObjects: true, useRecords: false, int64AsType: 'number', copyBuffers: true });
const contenders = {
  'msgpackr (pure JS)': () => {
    let n = 0;
    for (const c of chunks) unpackr.unpackMultiple(c, (e) => { if (e[0] instanceof EventTime) n++; });
    return n;
  },
  '@msgpack/msgpack': () => {
    let n = 0;
    for (const c of chunks) for (const e of decoder.decodeMulti(c)) if (e[0] instanceof EventTime) n++;
    return n;
  },
};
const results = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (const fn of Object.values(contenders)) fn(); // warm up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(contenders)) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const n = fn();
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (n !== CHUNKS * PER) throw new Error(`${name} decoded ${n} entries`);
    results[name].push({ eps: n / s, cpu: (cpu.user + cpu.system) / 1e6 });
  }
}
for (const [name, runs] of Object.entries(results)) {
  const med = [...runs].sort((a, b) => a.eps - b.eps)[Math.floor(runs.length / 2)];
  console.log(`${name}: ${Math.round(med.eps).toLocaleString('en-US')} entries/s, ${(bytes / 1048576 / ((CHUNKS * PER) / med.eps)).toFixed(0)} MiB/s, ${med.cpu.toFixed(2)} CPU s (median of ${ROUNDS})`);
}
