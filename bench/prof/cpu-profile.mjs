// Reading .cpuprofile files (from BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p", with
// WREN_ENTRY=src for readable names):
//   node bench/prof/cpu-profile.mjs top FILE [N]            self time by function
//   node bench/prof/cpu-profile.mjs incl FILE REGEX         inclusive time of matching functions
//   node bench/prof/cpu-profile.mjs callers FILE REGEX [D]  self time of matches by caller chain
//   node bench/prof/cpu-profile.mjs diff A B [N]            self time B − A by function
import { readFileSync } from 'node:fs';

function load(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id) => {
    const cf = byId.get(id).callFrame;
    return `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber}`;
  };
  return { p, parent, name };
}
function selfTimes(file) {
  const { p, name } = load(file);
  const m = new Map();
  p.samples.forEach((id, i) => m.set(name(id), (m.get(name(id)) ?? 0) + (p.timeDeltas[i] ?? 0)));
  return m;
}
const ms = (us) => `${(us / 1000).toFixed(1).padStart(8)} ms`;
const print = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, v]) => console.log(`${ms(v)}  ${k}`));
const [cmd, a, b, c] = process.argv.slice(2);
if (cmd === 'top') {
  print(selfTimes(a), Number(b ?? 40));
} else if (cmd === 'diff') {
  const x = selfTimes(a);
  const y = selfTimes(b);
  print(new Map([...new Set([...x.keys(), ...y.keys()])].map((k) => [k, (y.get(k) ?? 0) - (x.get(k) ?? 0)])), Number(c ?? 40));
} else if (cmd === 'incl' || cmd === 'callers') {
  const { p, parent, name } = load(a);
  const re = new RegExp(b);
  const m = new Map();
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    if (cmd === 'callers') {
      if (!re.test(name(id))) return;
      const chain = [];
      for (let cur = parent.get(id), d = 0; cur !== undefined && d < Number(c ?? 3); cur = parent.get(cur), d++) chain.push(name(cur));
      m.set(chain.join(' < '), (m.get(chain.join(' < ')) ?? 0) + dt);
      return;
    }
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = name(cur);
      if (re.test(k) && !seen.has(k)) {
        seen.add(k);
        m.set(k, (m.get(k) ?? 0) + dt);
      }
    }
  });
  print(m, 40);
} else {
  console.error('usage: cpu-profile.mjs top FILE [N] | incl FILE REGEX | callers FILE REGEX [DEPTH] | diff A B [N]');
  process.exit(2);
}
