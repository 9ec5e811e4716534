import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { BUILTIN_SPECS } from '../../src/parsers/builtin-specs.js';
import { createParser } from '../../src/parsers/create.js';
import { builtinParsers } from '../../src/parsers/registry.js';
import type { Parser } from '../../src/parsers/types.js';
import { tempDir } from '../helpers/cli.js';

// Fluent Bit's stock parsers: all there under their names, the same fields as Fluent Bit's own
// patterns give, and linear in the line (a 2 kB line that does not match costs well under 10 ms).

/**
 * Fluent Bit's stock patterns (conf/parsers.conf, Apache-2.0), kept as the oracle the rewritten
 * built-ins are compared with. Only the ones Wren rewrote are here; the others are used as they are.
 */
const FLUENT_BIT: Record<string, string> = {
  apache: String.raw`^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")?$`,
  apache2: String.raw`^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^ ]*) +\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>.*)")?$`,
  nginx: String.raw`^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")`,
  'k8s-nginx-ingress': String.raw`^(?<host>[^ ]*) - (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*) "(?<referer>[^\"]*)" "(?<agent>[^\"]*)" (?<request_length>[^ ]*) (?<request_time>[^ ]*) \[(?<proxy_upstream_name>[^ ]*)\] (\[(?<proxy_alternative_upstream_name>[^ ]*)\] )?(?<upstream_addr>[^ ]*) (?<upstream_response_length>[^ ]*) (?<upstream_response_time>[^ ]*) (?<upstream_status>[^ ]*) (?<reg_id>[^ ]*).*$`,
  mongodb: String.raw`^(?<time>[^ ]*)\s+(?<severity>\w)\s+(?<component>[^ ]+)\s+\[(?<context>[^\]]+)]\s+(?<message>.*?) *(?<ms>(\d+))?(:?ms)?$`,
  envoy: String.raw`^\[(?<start_time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)? (?<protocol>\S+)" (?<code>[^ ]*) (?<response_flags>[^ ]*) (?<bytes_received>[^ ]*) (?<bytes_sent>[^ ]*) (?<duration>[^ ]*) (?<x_envoy_upstream_service_time>[^ ]*) "(?<x_forwarded_for>[^ ]*)" "(?<user_agent>[^\"]*)" "(?<request_id>[^\"]*)" "(?<authority>[^ ]*)" "(?<upstream_host>[^ ]*)"`,
  'istio-envoy-proxy': String.raw`^\[(?<start_time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)? (?<protocol>\S+)" (?<response_code>[^ ]*) (?<response_flags>[^ ]*) (?<response_code_details>[^ ]*) (?<connection_termination_details>[^ ]*) "(?<upstream_transport_failure_reason>[^ ]*)" (?<bytes_received>[^ ]*) (?<bytes_sent>[^ ]*) (?<duration>[^ ]*) (?<x_envoy_upstream_service_time>[^ ]*) "(?<x_forwarded_for>[^ ]*)" "(?<user_agent>[^\"]*)" "(?<x_request_id>[^\"]*)" "(?<authority>[^ ]*)" "(?<upstream_host>[^ ]*)" (?<upstream_cluster>[^ ]*) (?<upstream_local_address>[^ ]*) (?<downstream_local_address>[^ ]*) (?<downstream_remote_address>[^ ]*) (?<requested_server_name>[^ ]*) (?<route_name>[^  ]*)$`,
  'kube-custom': String.raw`(?<tag>[^.]+)?\.?(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)_(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<docker_id>[a-z0-9]{64})\.log$`,
};

const ID = 'd5c1e0f4a3b2'.repeat(6).slice(0, 64);

/** Lines of each format, written for this test. */
const LINES: Record<string, string[]> = {
  apache: ['10.1.2.3 - alice [14/Mar/2025:09:26:53 +0000] "GET /shop/cart?id=7 HTTP/1.1" 200 5120 "https://shop.example/" "Mozilla/5.0 (X11; Linux)"', '10.1.2.4 - - [14/Mar/2025:09:26:54 +0000] "HEAD / HTTP/1.0" 304 -'],
  apache2: ['10.1.2.3 - bob [14/Mar/2025:09:26:53 +0000] "POST /api/orders HTTP/2.0" 201 77 "-" "okhttp/4.12"'],
  apache_error: ['[Fri Mar 14 09:26:53.120000 2025] [proxy:error] [pid 4711:tid 139] [client 10.1.2.3:5511] AH00898: Error reading from remote server'],
  nginx: ['203.0.113.9 - - [14/Mar/2025:09:26:53 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.30"', '198.51.100.4 - carol [14/Mar/2025:09:26:55 +0000] "PUT /v1/items/9 HTTP/1.1" 204 0 "https://app.example/items" "curl/8.5.0"'],
  'k8s-nginx-ingress': ['192.0.2.10 - - [14/Mar/2025:09:26:53 +0000] "GET /api/v2/users HTTP/2.0" 200 1432 "-" "python-requests/2.31" 312 0.018 [shop-api-8080] [] 10.2.0.17:8080 1432 0.017 200 4f6c2a'],
  'docker-daemon': ['time="2025-03-14T09:26:53.123456789Z" level=warning msg="cleaning up after shim disconnected"'],
  'syslog-rfc5424': ['<134>1 2025-03-14T09:26:53.120Z node-7 kubelet 2211 PLEG [meta seq="12"] relisting pods', '<30>1 2025-03-14T09:26:53.120Z node-7 sshd - - - session opened'],
  'syslog-rfc3164-local': ['<30>Mar 14 09:26:53 containerd[812]: starting plugins'],
  'syslog-rfc3164': ['<30>Mar 14 09:26:53 node-7 containerd[812]: starting plugins', '<86>Mar  4 09:26:53 node-7 CRON: session closed'],
  mongodb: ['2025-03-14T09:26:53.120+0000 I NETWORK [listener] connection accepted from 10.2.0.9:41122', '2025-03-14T09:26:53.120+0000 W COMMAND [conn17] slow query 2405ms'],
  envoy: ['[2025-03-14T09:26:53.120Z] "GET /api/v2/users HTTP/1.1" 200 - 0 1432 18 17 "10.2.0.9" "python-requests/2.31" "6f1c2d3e-aaaa-4000-8000-000000000001" "users.shop" "10.2.0.17:8080"', '[2025-03-14T09:26:53.120Z] "- - -" 0 UF 0 0 3 - "-" "-" "-" "-" "10.2.0.17:5432"'],
  'istio-envoy-proxy': ['[2025-03-14T09:26:53.120Z] "GET /reviews/0 HTTP/1.1" 200 - via_upstream - "-" 0 295 5 4 "-" "Mozilla/5.0" "1b2c3d" "reviews:9080" "10.2.0.21:9080" outbound|9080|v1|reviews.shop.svc.cluster.local 10.2.0.9:51512 10.2.0.21:9080 10.2.0.9:33210 - default'],
  'kube-custom': [`kube.var.log.containers.web-1_shop_nginx-${ID}.log`, `web-7f9c_shop_app-sidecar-${ID}.log`, `a.b.c-d_ns_c_x-${ID}.log`],
  'kmsg-netfilter-log': ['<4>1 2025-03-14T09:26:53.120Z node-7 kernel - - - [88211.100] DROPPED IN=eth0 OUT= MAC=0a:58:0a:02:00:09:0a:58:0a:02:00:01:08:00 SRC=10.2.0.9 DST=10.2.0.17 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=4411 DF PROTO=TCP SPT=41122 DPT=5432 WINDOW=64240 RES=0x00 SYN URGP=0'],
};

/** A small seeded generator, so a failure repeats. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

const NOISE = [' ', ' ', ' ', '"', '"', '[', ']', '-', 'a', '0', '5', ':', 'm', 's', '.', '_', '\t'];

function mutate(line: string, r: () => number): string {
  let out = line;
  const edits = 1 + Math.floor(r() * 5);
  for (let i = 0; i < edits; i++) {
    const p = Math.floor(r() * (out.length + 1));
    const c = NOISE[Math.floor(r() * NOISE.length)]!;
    const k = r();
    out = k < 0.5 ? out.slice(0, p) + c + out.slice(p) : k < 0.8 ? out.slice(0, p) + out.slice(p + 1) : out.slice(0, p) + c + out.slice(p + 1);
  }
  return out;
}

const stock = builtinParsers();

describe('stock parsers', () => {
  it("are all there under Fluent Bit's names", () => {
    for (const n of ['json', 'logfmt', 'docker', 'cri', ...Object.keys(LINES)]) expect(stock.get(n)?.name, n).toBe(n);
  });

  it('read their lines into the fields Fluent Bit gives', () => {
    const p = (n: string, line: string) => stock.get(n)!.parse(line);
    expect(p('nginx', LINES.nginx![1]!)).toEqual({
      time: Date.UTC(2025, 2, 14, 9, 26, 55),
      record: { remote: '198.51.100.4', host: '-', user: 'carol', method: 'PUT', path: '/v1/items/9', code: '204', size: '0', referer: 'https://app.example/items', agent: 'curl/8.5.0' },
    });
    expect(p('apache', LINES.apache![1]!)!.record).toEqual({ host: '10.1.2.4', user: '-', method: 'HEAD', path: '/', code: '304', size: '-' });
    expect(p('envoy', LINES.envoy![0]!)!.record).toMatchObject({ start_time: '2025-03-14T09:26:53.120Z', method: 'GET', path: '/api/v2/users', protocol: 'HTTP/1.1', code: '200', authority: 'users.shop' });
    expect(p('envoy', LINES.envoy![1]!)!.record).toMatchObject({ method: '-', path: '-', protocol: '-', upstream_host: '10.2.0.17:5432' });
    expect(p('mongodb', LINES.mongodb![1]!)!.record).toEqual({ time: '2025-03-14T09:26:53.120+0000', severity: 'W', component: 'COMMAND', context: 'conn17', message: 'slow query', ms: '2405' });
    expect(p('k8s-nginx-ingress', LINES['k8s-nginx-ingress']![0]!)!.record).toMatchObject({ proxy_upstream_name: 'shop-api-8080', upstream_addr: '10.2.0.17:8080', reg_id: '4f6c2a' });
    // Fluent Bit's kube-custom reads an unprefixed name with the optional tag taking "web-7f9c"'s head
    expect(p('kube-custom', LINES['kube-custom']![1]!)!.record).toEqual({ tag: 'web-7f9', pod_name: 'c', namespace_name: 'shop', container_name: 'app-sidecar', docker_id: ID });
    expect(p('json', '{"time":"14/Mar/2025:09:26:53 +0000","a":1}')).toEqual({ time: Date.UTC(2025, 2, 14, 9, 26, 53), record: { a: 1 } });
    expect(p('json', '{"time":"2025-03-14T09:26:53Z","a":1}')).toEqual({ record: { time: '2025-03-14T09:26:53Z', a: 1 } });
  });

  for (const [name, pattern] of Object.entries(FLUENT_BIT)) {
    it(`${name}: the same records as Fluent Bit's pattern on 1,500 mutated lines`, () => {
      const spec = BUILTIN_SPECS.find((s) => s.name === name) ?? { name, format: 'regex' as const };
      const reference: Parser = createParser({ ...spec, regex: pattern });
      const ours = stock.get(name)!;
      const r = rng(name.length * 7919);
      const known = name === 'envoy' || name === 'istio-envoy-proxy' ? /"[^"]* [^ "]*"[^ "]* [^ "]*" / : undefined;
      const differ: string[] = [];
      let matched = 0;
      for (let i = 0; i < 1500; i++) {
        const base = LINES[name]![i % LINES[name]!.length]!;
        const line = mutate(r() < 0.3 ? mutate(base, r) : base, r);
        const want = reference.parse(line);
        if (want) matched++;
        const got = ours.parse(line);
        if (JSON.stringify(got) !== JSON.stringify(want) && !(known && known.test(line))) differ.push(line);
      }
      expect(differ.slice(0, 3)).toEqual([]);
      expect(matched).toBeGreaterThan(100);
    });
  }

  it('every stock regex takes under 10 ms on 2 kB lines built to make a backtracking engine stall', () => {
    const fills = [' ', '"', '[', ']', '-', 'a', '0', ':', '.', '_', '\t', '\\', 'ms', '1 ', 'a ', ' "', '" ', '[a] ', 'a"', ' a', 'x_', '.a', 'a-', ' -'];
    const slow: string[] = [];
    for (const [name, lines] of Object.entries(LINES)) {
      const parser = stock.get(name)!;
      for (const l of lines) parser.parse(l);
      const tries: string[] = fills.map((f) => f.repeat(Math.ceil(2048 / f.length)).slice(0, 2048));
      for (const base of lines) {
        for (const f of fills) {
          const fill = f.repeat(Math.ceil((2048 - base.length) / f.length));
          for (const cut of [1, 12, 40, Math.floor(base.length / 2), base.length - 3, base.length]) {
            tries.push(base.slice(0, cut) + fill + base.slice(cut), base.slice(0, cut) + fill, base.slice(0, cut) + fill + 'x');
          }
        }
      }
      for (const t of tries) {
        // best of three: a catastrophic pattern is slow every time, a busy machine only sometimes
        let best = Infinity;
        for (let k = 0; k < 3 && best >= 10; k++) {
          const t0 = performance.now();
          parser.parse(t);
          best = Math.min(best, performance.now() - t0);
        }
        if (best >= 10) slow.push(`${name}: ${best.toFixed(1)} ms on ${JSON.stringify(t.slice(0, 60))}…`);
      }
    }
    expect(slow).toEqual([]);
  });

  it("a parsers file copied from Fluent Bit gets the linear patterns for its slow stock ones, under any name", () => {
    const dir = tempDir('wren-stock-');
    writeFileSync(join(dir, 'parsers.conf'), `[PARSER]\n    Name   nginx\n    Format regex\n    Regex ${FLUENT_BIT.nginx}\n    Time_Key time\n    Time_Format %d/%b/%Y:%H:%M:%S %z\n\n[PARSER]\n    Name   my_apache\n    Format regex\n    Regex  ${FLUENT_BIT.apache}\n\n[PARSER]\n    Name   tags\n    Format regex\n    Regex  ${FLUENT_BIT['kube-custom']}\n`);
    writeFileSync(join(dir, 'fluent-bit.conf'), '[SERVICE]\n    Parsers_File parsers.conf\n[INPUT]\n    Name dummy\n[OUTPUT]\n    Name null\n    Match *\n');
    const { config, errors } = loadConfig(join(dir, 'fluent-bit.conf'), { env: {} });
    expect(errors).toEqual([]);
    const hostile = '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET ' + ' '.repeat(1450) + 'x';
    for (const name of ['nginx', 'my_apache']) {
      const p = config!.parsers.get(name)!;
      const t0 = performance.now();
      expect(p.parse(hostile)).toBeNull();
      expect(performance.now() - t0).toBeLessThan(100);
    }
    expect(config!.parsers.get('nginx')!.parse(LINES.nginx![0]!)).toEqual(stock.get('nginx')!.parse(LINES.nginx![0]!));
    // (no Time_Key here, so the time stays a field)
    expect(config!.parsers.get('my_apache')!.parse(LINES.apache![0]!)!.record).toEqual({ ...stock.get('apache')!.parse(LINES.apache![0]!)!.record, time: '14/Mar/2025:09:26:53 +0000' });
    expect(config!.parsers.get('tags')!.parse(LINES['kube-custom']![0]!)).toEqual(stock.get('kube-custom')!.parse(LINES['kube-custom']![0]!));
  });
});
