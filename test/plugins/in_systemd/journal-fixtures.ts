import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportEntry } from '../../../plugins/in_systemd/export-parser.js';

/**
 * Journal entries of a Kubernetes node (kubelet, containerd, sshd), written for these tests, in
 * journalctl's export format; and a stand-in `journalctl` that replays them, for the tests that
 * must run with Node alone.
 */

export const BOOT = '9b2f0c6e4d8a4f3b8e1c2d3a4b5c6d7e';
const SEQNUM_ID = '5f1e2d3c4b5a69788796a5b4c3d2e1f0';
export const T0_USEC = 1741943564118802n; // 2025-03-14T09:12:44.118802Z

export interface Fixture {
  unit?: string;
  message: string;
  priority?: string;
  extra?: [string, string][];
}

/** The n-th entry's export fields, cursor first (as journalctl writes them). */
export function entryFields(f: Fixture, n: number, ts = T0_USEC): [string, string][] {
  const usec = ts + BigInt(n) * 1000n;
  const cursor = `s=${SEQNUM_ID};i=${(n + 1).toString(16)};b=${BOOT};m=${(5_000_000 + n * 1000).toString(16)};t=${usec.toString(16)};x=${(0x1234abcd + n).toString(16).padStart(16, '0')}`;
  const fields: [string, string][] = [
    ['__CURSOR', cursor],
    ['__REALTIME_TIMESTAMP', usec.toString()],
    ['__MONOTONIC_TIMESTAMP', String(5_000_000 + n * 1000)],
    ['_BOOT_ID', BOOT],
    ['PRIORITY', f.priority ?? '6'],
    ['SYSLOG_FACILITY', '3'],
    ['_HOSTNAME', 'ip-10-0-3-7.eu-west-1.compute.internal'],
    ['_TRANSPORT', 'stdout'],
  ];
  if (f.unit !== undefined) fields.push(['_SYSTEMD_UNIT', f.unit], ['SYSLOG_IDENTIFIER', f.unit.replace(/\.service$/, '')]);
  fields.push(...(f.extra ?? []), ['MESSAGE', f.message]);
  return fields;
}

export const NODE_ENTRIES: Fixture[] = [
  { unit: 'kubelet.service', message: 'I0314 09:12:44.118802    2211 kubelet.go:2458] "SyncLoop ADD" source="api" pods=["shop/checkout-7d9f8b6c5-x2lqp"]', extra: [['_PID', '2211'], ['_COMM', 'kubelet']] },
  { unit: 'containerd.service', message: 'time="2025-03-14T09:12:44.201Z" level=info msg="CreateContainer within sandbox" id=5be1ecc7', extra: [['_PID', '1034'], ['_COMM', 'containerd']] },
  { unit: 'kubelet.service', priority: '3', message: 'E0314 09:12:45.002113    2211 pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \\"StartContainer\\""', extra: [['_PID', '2211'], ['_COMM', 'kubelet']] },
  { unit: 'sshd.service', priority: '5', message: 'Accepted publickey for ec2-user from 10.0.1.23 port 51422 ssh2: ED25519 SHA256:3xq', extra: [['_PID', '4410'], ['_COMM', 'sshd']] },
  { message: 'kernel: eth0: renamed from veth5be1ecc', extra: [['_TRANSPORT', 'kernel'], ['SYSLOG_IDENTIFIER', 'kernel']] },
  { unit: 'kubelet.service', message: 'panic stack\nline two\n\tline three', extra: [['_PID', '2211'], ['CONTAINER_TAG', 'a'], ['CONTAINER_TAG', 'b']] },
];

/** The fixtures as one export stream. */
export function exportStream(entries: Fixture[] = NODE_ENTRIES, from = 0): Buffer {
  return Buffer.concat(entries.map((f, i) => exportEntry(entryFields(f, from + i))));
}

/**
 * A `journalctl` stand-in: writes its arguments (one JSON line per start) to `<dir>/args.jsonl`,
 * then the export stream in `<dir>/stream.export` from after `--after-cursor` (all of it without
 * one; nothing with --lines=0), then waits as `--follow` does (or exits with `<dir>/exit-code` if
 * present), printing `<dir>/stderr` first if present.
 */
export function fakeJournalctl(dir: string, stream: Buffer): string {
  writeFileSync(join(dir, 'stream.export'), stream);
  const script = join(dir, 'journalctl');
  writeFileSync(script, `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const dir = ${JSON.stringify(dir)};
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'args.jsonl'), JSON.stringify(args) + '\\n');
const stderr = path.join(dir, 'stderr');
if (fs.existsSync(stderr)) process.stderr.write(fs.readFileSync(stderr));
let data = fs.readFileSync(path.join(dir, 'stream.export'));
const after = args.find((a) => a.startsWith('--after-cursor='));
if (after) {
  const at = data.indexOf('__CURSOR=' + after.slice(15) + '\\n');
  if (at < 0) { process.stderr.write('Failed to seek to cursor: Invalid argument\\n'); process.exit(1); }
  const end = data.indexOf('\\n\\n', at);
  data = data.subarray(end + 2);
}
if (args.includes('--lines=0')) data = Buffer.alloc(0);
process.stdout.write(data, () => {
  const code = path.join(dir, 'exit-code');
  if (fs.existsSync(code)) process.exit(Number(fs.readFileSync(code, 'utf8')));
  setInterval(() => {}, 1 << 30);
});
`);
  chmodSync(script, 0o755);
  return script;
}
