// SigV4 signing: Wren's signer (src/aws/signer.ts, node:crypto) against @smithy/signature-v4 (what
// Wren used before; a devDependency for this comparison only), per request on a 1 KiB and a
// 140 KiB body (a Firehose call of 500 records) and in MiB/s on 5 MiB bodies (an OpenSearch _bulk
// call, where the payload hash dominates). "cold": the first 600 signatures of a fresh process,
// which is what a short run or a quiet output pays; "warm": after 3,000 more.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MiB = 1024 * 1024;
const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luEXAMPLE==' };
const url = new URL('https://firehose.us-east-1.amazonaws.com/');
const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Firehose_20150804.PutRecordBatch', 'user-agent': 'wren' };

async function wrenSigner() {
  const { signRequest } = await import('../dist/src/aws/signer.js');
  return (body) => signRequest({ method: 'POST', url, headers, body }, { credentials: KEYS, region: 'us-east-1', service: 'firehose' });
}

async function smithySigner() {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  class Sha { constructor(k) { this.h = k === undefined ? createHash('sha256') : createHmac('sha256', k); } update(d) { this.h.update(d); } async digest() { return new Uint8Array(this.h.digest()); } }
  const s = new SignatureV4({ credentials: KEYS, region: 'us-east-1', service: 'firehose', sha256: Sha, applyChecksum: false });
  return (body) => s.sign({ method: 'POST', protocol: 'https:', hostname: url.hostname, path: '/', query: {}, headers: { ...headers, host: url.host }, body });
}

/** One measurement in a fresh process (cold means cold): CPU µs per signature. */
if (process.argv[2] === 'child') {
  const [, , , which, size, cold, warm] = process.argv;
  const sign = which === 'wren' ? await wrenSigner() : await smithySigner();
  const body = randomBytes(Number(size));
  const cpu = async (n) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await sign(body);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  const a = await cpu(Number(cold));
  await cpu(3000);
  const b = await cpu(Number(warm));
  console.log(JSON.stringify({ cold: a, warm: b }));
  process.exit(0);
}

const run = (which, size, n = 600) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'child', which, String(size), String(n), String(n)], { encoding: 'utf8' }));
console.log('SigV4 per request, CPU µs (cold: first 600 in a fresh process; warm: after 3,000 more):');
for (const [label, size] of [['1 KiB body', 1024], ['140 KiB body (a Firehose call)', 140 * 1024]]) {
  const w = run('wren', size);
  const s = run('smithy', size);
  console.log(`  ${label.padEnd(32)} wren ${w.cold.toFixed(0).padStart(5)} cold ${w.warm.toFixed(0).padStart(5)} warm   smithy ${s.cold.toFixed(0).padStart(5)} cold ${s.warm.toFixed(0).padStart(5)} warm`);
}
const big = run('wren', 5 * MiB, 20);
console.log(`  5 MiB body (an OpenSearch call)  wren ${(5 * 1e6 / big.warm).toFixed(0)} MiB/s (the payload hash; node:crypto)`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
