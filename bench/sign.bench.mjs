// SigV4 signing throughput for 5 MiB bodies (the payload hash dominates), and the payload hash on
// node:crypto (OpenSSL) against @aws-crypto/sha256-js, which decided what the signer uses.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { JsSha256, NodeSha256 } from '../dist/src/aws/sha256.js';
import { signRequest } from '../dist/src/aws/signer.js';

const MiB = 1024 * 1024;
const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luEXAMPLE==' };
// NDJSON-like text (what _bulk sends), and its gzip (what a compressed output signs).
const lines = [];
for (let i = 0, size = 0; size < 5 * MiB; i++) {
  const l = `{"create":{"_index":"logs"}}\n{"log":"GET /api/v1/items/${i} 200 ${i % 97}ms req=${randomBytes(8).toString('hex')}","kubernetes":{"pod_name":"web-7d9f-${i % 13}","namespace_name":"prod"},"stream":"stdout"}\n`;
  lines.push(l);
  size += l.length;
}
const body = Buffer.from(lines.join('')).subarray(0, 5 * MiB);
const random = randomBytes(5 * MiB);
const gz = gzipSync(body);

async function hashRate(Ctor, data, seconds) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const h = new Ctor();
    h.update(data);
    await h.digest();
    n++;
  }
  return (n * data.length) / MiB / ((performance.now() - t0) / 1000);
}

async function signRate(service, data, seconds) {
  const url = new URL('https://search-logs.us-east-1.es.amazonaws.com/_bulk');
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() - t0 < seconds * 1000) {
    await signRequest({ method: 'POST', url, headers: { 'content-type': 'application/x-ndjson' }, body: data }, { credentials: KEYS, region: 'us-east-1', service });
    n++;
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { mibs: (n * data.length) / MiB / secs, perReq: (secs * 1000) / n, cpu: (cpu.user + cpu.system) / 1e6 };
}

console.log('payload hash, 5 MiB body:');
const node = await hashRate(NodeSha256, random, 2);
const js = await hashRate(JsSha256, random, 4);
console.log(`  node:crypto          ${node.toFixed(0).padStart(6)} MiB/s`);
console.log(`  @aws-crypto/sha256-js ${js.toFixed(0).padStart(5)} MiB/s   (node:crypto is ${(node / js).toFixed(1)}x faster: the signer uses it)`);

console.log('signRequest (SigV4 on @smithy/signature-v4, node:crypto hash):');
for (const [label, service, data] of [
  ['es, 5 MiB NDJSON', 'es', body],
  ['aoss, 5 MiB NDJSON (+x-amz-content-sha256)', 'aoss', body],
  [`es, gzip of it (${(gz.length / MiB).toFixed(2)} MiB)`, 'es', gz],
  ['es, 1 KiB', 'es', body.subarray(0, 1024)],
]) {
  const r = await signRate(service, data, 2);
  console.log(`  ${label.padEnd(44)} ${r.mibs.toFixed(1).padStart(8)} MiB/s  ${r.perReq.toFixed(3).padStart(8)} ms/request  CPU ${r.cpu.toFixed(2)} s`);
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
