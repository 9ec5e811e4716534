// Reads `tar -tv --numeric-owner` of an exported container image on stdin and prints what takes
// its space, by area; exits 1 when the image is over the size budget (150 MB).
// Usage: podman export CID | tar -tv --numeric-owner -f - | node scripts/image-size-breakdown.mjs [IMAGE_SIZE_BYTES]
import { createInterface } from 'node:readline';

const LIMIT = 150 * 1000 * 1000;
const AREAS = [
  ['node binary', (p) => /^(nodejs\/bin|usr\/local\/bin|usr\/bin)\/node$/.test(p)],
  ['Wren (compiled JS)', (p) => p.startsWith('opt/wren/') && !p.startsWith('opt/wren/node_modules/')],
  ['production dependencies', (p) => p.startsWith('opt/wren/node_modules/')],
  ['configs and parsers', (p) => p.startsWith('etc/wren/') || p.startsWith('fluent-bit/')],
  ['base image (glibc, libstdc++, …)', () => true],
];

const totals = new Map(AREAS.map(([name]) => [name, 0]));
const deps = new Map();
for await (const line of createInterface({ input: process.stdin })) {
  const m = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
  if (!m || m[1] !== '-') continue;
  const size = Number(m[2]);
  const path = m[3].replace(/^\.\//, '');
  const [name] = AREAS.find(([, test]) => test(path));
  totals.set(name, totals.get(name) + size);
  const dep = /^opt\/wren\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (dep) deps.set(dep[1], (deps.get(dep[1]) ?? 0) + size);
}
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
const files = [...totals.values()].reduce((a, b) => a + b, 0);
const image = Number(process.argv[2] ?? files);
console.log(`image size: ${mb(image)} (${(image / 2 ** 20).toFixed(1)} MiB; budget ${mb(LIMIT)}); files:`);
for (const [name, n] of totals) console.log(`  ${name.padEnd(34)} ${mb(n).padStart(9)}`);
const top = [...deps].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([d, n]) => `${d} ${mb(n)}`);
console.log(`  largest dependencies: ${top.join(', ')}`);
if (image > LIMIT) {
  console.error(`image-size: ${mb(image)} is over the ${mb(LIMIT)} budget`);
  process.exit(1);
}
