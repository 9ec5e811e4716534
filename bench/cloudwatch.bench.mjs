// tail → cloudwatch_logs over TLS: 1,000,000 CRI lines → tail (multiline.parser cri) →
// cloudwatch_logs (SigV4 with the example keys) → a loopback HTTPS fake of CloudWatch Logs
// (a certificate made here with node-forge, trusted through tls.ca_file). The fake answers
// CreateLogStream and PutLogEvents and counts events without parsing the JSON (it counts
// "timestamp" keys), and its own CPU is reported so that it is seen not to be the bottleneck.
// Target (issue 10): ≥ 200,000 events/s at ≤ 5 CPU s per million events, peak RSS ≤ 100 MB.
// BENCH_LINES, BENCH_RUNS (median reported), BENCH_MEM_BUF (default 5M).
import { generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import forge from 'node-forge';
import { benchDir, report, runWren, tailConfig, writeCriFile } from './lib.mjs';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dir = benchDir('wren-bench-cloudwatch-');
// an hour ago: CloudWatch Logs refuses events older than 14 days
const { file, bytes } = writeCriFile(dir, LINES, { base: Date.now() - 3_600_000 });
console.log(`file: ${LINES.toLocaleString('en-US')} CRI lines, ${(bytes / 1048576).toFixed(1)} MiB`);

/** A self-signed certificate for 127.0.0.1 (it is its own CA). */
function selfSigned() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: 'wren bench cloudwatch fake' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'basicConstraints', cA: true }, { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
}

const tls = selfSigned();
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, tls.certPem);

const stats = { events: 0, puts: 0, signed: 0, requests: 0 };
const NEEDLE = Buffer.from('"timestamp"');
const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
  stats.requests++;
  if (String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/')) stats.signed++;
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    const op = String(req.headers['x-amz-target'] ?? '').replace('Logs_20140328.', '');
    let body = '{}';
    if (op === 'PutLogEvents') {
      const b = Buffer.concat(parts);
      for (let i = b.indexOf(NEEDLE); i !== -1; i = b.indexOf(NEEDLE, i + 11)) stats.events++;
      stats.puts++;
      body = '{"nextSequenceToken":"1","rejectedLogEventsInfo":null}';
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'bench' });
    res.end(body);
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const yaml = `${tailConfig(file, { tag: 'kube.*', memBufLimit: process.env.BENCH_MEM_BUF ?? '5M' })}  outputs:
    - name: cloudwatch_logs
      match: '*'
      region: us-east-1
      endpoint: https://127.0.0.1:${port}
      tls.ca_file: ${caFile}
      log_group_name: /bench/wren
      log_stream_prefix: node-
`;
const env = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const runs = [];
for (let i = 0; i < RUNS; i++) {
  Object.assign(stats, { events: 0, puts: 0, signed: 0, requests: 0 });
  const cpu0 = process.cpuUsage();
  const r = await runWren(yaml, { dir, env });
  const fake = process.cpuUsage(cpu0);
  if (stats.events !== LINES) throw new Error(`expected ${LINES} events, the fake got ${stats.events} (wren says ${r.records_out})`);
  if (stats.signed !== stats.requests) throw new Error(`${stats.requests - stats.signed} requests were not signed`);
  runs.push({ ...r, puts: stats.puts, fake_cpu_s: (fake.user + fake.system) / 1e6 });
}
server.close();
rmSync(dir, { recursive: true, force: true });
const median = [...runs].sort((a, b) => a.wall_ms - b.wall_ms)[Math.floor(runs.length / 2)];
const out = report(`tail → cloudwatch_logs (TLS, SigV4), median of ${RUNS}`, median, { events: LINES, bytes });
console.log(`  every run: ${runs.map((r) => `${Math.round(LINES / (r.wall_ms / 1000)).toLocaleString('en-US')}/s, ${Math.round(r.max_rss_mb)} MB`).join('; ')}`);
console.log(`  ${median.puts} PutLogEvents calls; CPU per million events: ${((out.cpu_s / LINES) * 1e6).toFixed(2)} s; the fake's own CPU: ${median.fake_cpu_s.toFixed(2)} s (bench process, incl. TLS)`);
