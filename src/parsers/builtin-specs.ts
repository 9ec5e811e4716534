import { vetPatterns } from './linear-regex.js';
import type { ParserSpec } from './spec.js';

/**
 * Fluent Bit's stock parsers (its conf/parsers.conf) under the same names, keys and time formats,
 * so a config that says `Parser nginx` or `parser: syslog-rfc5424` works without a parsers file.
 * `docker`, `cri` and `kube-custom` are written in code (registry.ts). A `parsers:` / `[PARSER]`
 * entry with the same name replaces the built-in one.
 *
 * Every regex here runs in time linear in the line, on any line (Fluent Bit's own request-line
 * patterns backtrack catastrophically: 11-14 s of CPU on a 1.5 kB line that does not match). The
 * rewritten ones give the same fields as Fluent Bit's on every line its own matches, with two
 * exceptions a log writer does not produce: in `envoy` / `istio-envoy-proxy`, a request whose
 * next-to-last word holds a double quote; in `mongodb`, a header split by tabs in more than one
 * place. test/parsers/stock.test.ts compares them with Fluent Bit's patterns on mutated lines.
 *
 * How they stay linear: a run that a later literal could also match is made to end where it must
 * (`[^ "]+(?= )`, ` +(?! )`), and the HTTP request line "METHOD PATH PROTOCOL" is read token by
 * token instead of by a lazy `.*?` racing an optional group over the same spaces.
 */

const HTTP_TIME = { timeKey: 'time', timeFormat: '%d/%b/%Y:%H:%M:%S %z' } as const;
const ISO_MS = '%Y-%m-%dT%H:%M:%S.%L';

/**
 * Fluent Bit's `"(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?"`: the path is every word
 * after the method but the last (the protocol), and it ends where the last run of spaces starts.
 */
const REQUEST = String.raw`"(?<method>\S+)(?: +(?! )(?<path>[^ "]+(?: +(?:[^ "]+(?= )|(?=[^ "]*[^\S ])[^ "]+(?=")))*)?(?: +\S*)?| {2,}(?! )\S*)?"`;

/**
 * Envoy's `"(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)? (?<protocol>\S+)"`: the protocol is
 * the last word; the path the words before the one before it (Fluent Bit's pattern drops that one).
 */
const ENVOY_REQUEST = String.raw`"(?<method>\S+)(?: +(?! )(?<path>[^ "]+(?: +(?:[^ "]+(?= +[^ "]+ +[^ ])|[^ "]+(?= {2,}[^ ])|(?=[^ "]*[^\S ])[^ "]+(?= [^ ])))*)?(?: +(?! )\S+(?= )| +(?= ))?| +(?= ))? (?<protocol>\S+)"`;

const HTTP_HEAD = String.raw`^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] `;

export const BUILTIN_SPECS: readonly ParserSpec[] = [
  { name: 'json', format: 'json', ...HTTP_TIME },
  { name: 'logfmt', format: 'logfmt' },
  {
    name: 'apache', format: 'regex', ...HTTP_TIME,
    regex: HTTP_HEAD + REQUEST + String.raw` (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^"]*)" "(?<agent>[^"]*)")?$`,
  },
  {
    name: 'apache2', format: 'regex', ...HTTP_TIME,
    regex: HTTP_HEAD + String.raw`"(?<method>\S+)(?: +(?! )(?<path>[^ ]+) +(?! )\S*| {2,}(?! )\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^"]*)" "(?<agent>.*)")?$`,
  },
  {
    name: 'apache_error', format: 'regex',
    regex: String.raw`^\[[^ ]* (?<time>[^\]]*)\] \[(?<level>[^\]]*)\](?: \[pid (?<pid>[^\]]*)\])?( \[client (?<client>[^\]]*)\])? (?<message>.*)$`,
  },
  {
    name: 'nginx', format: 'regex', ...HTTP_TIME,
    regex: String.raw`^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] ` + REQUEST + String.raw` (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^"]*)" "(?<agent>[^"]*)")`,
  },
  {
    name: 'k8s-nginx-ingress', format: 'regex', ...HTTP_TIME,
    regex: String.raw`^(?<host>[^ ]*) - (?<user>[^ ]*) \[(?<time>[^\]]*)\] ` + REQUEST + String.raw` (?<code>[^ ]*) (?<size>[^ ]*) "(?<referer>[^"]*)" "(?<agent>[^"]*)" (?<request_length>[^ ]*) (?<request_time>[^ ]*) \[(?<proxy_upstream_name>[^ ]*)\] (\[(?<proxy_alternative_upstream_name>[^ ]*)\] )?(?<upstream_addr>[^ ]*) (?<upstream_response_length>[^ ]*) (?<upstream_response_time>[^ ]*) (?<upstream_status>[^ ]*) (?<reg_id>[^ ]*)(?: .*)?$`,
  },
  {
    name: 'docker-daemon', format: 'regex', timeKey: 'time', timeFormat: ISO_MS, timeKeep: true,
    regex: String.raw`time="(?<time>[^ ]*)" level=(?<level>[^ ]*) msg="(?<msg>[^ ].*)"`,
  },
  {
    name: 'syslog-rfc5424', format: 'regex', timeKey: 'time', timeFormat: `${ISO_MS}%z`, timeKeep: true,
    regex: String.raw`^\<(?<pri>[0-9]{1,5})\>1 (?<time>[^ ]+) (?<host>[^ ]+) (?<ident>[^ ]+) (?<pid>[-0-9]+) (?<msgid>[^ ]+) (?<extradata>(\[(.*?)\]|-)) (?<message>.+)$`,
  },
  {
    name: 'syslog-rfc3164-local', format: 'regex', timeKey: 'time', timeFormat: '%b %d %H:%M:%S', timeKeep: true,
    regex: String.raw`^\<(?<pri>[0-9]+)\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<ident>[a-zA-Z0-9_\/\.\-]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$`,
  },
  {
    name: 'syslog-rfc3164', format: 'regex', timeKey: 'time', timeFormat: '%b %d %H:%M:%S', timeKeep: true,
    regex: String.raw`/^\<(?<pri>[0-9]+)\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[a-zA-Z0-9_\/\.\-]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$/`,
  },
  {
    // the message ends where the longest " *<digits>(ms|:ms)" tail starts, as Fluent Bit's lazy `.*?` decides,
    // read run by run (letters one at a time, spaces and digits whole) so that each position is tried once
    name: 'mongodb', format: 'regex', timeKey: 'time', timeFormat: ISO_MS, timeKeep: true,
    regex: String.raw`^(?:(?=(?<time>[^ ]*))\k<time>|(?<time>\S*))\s+(?<severity>\w)\s+(?!\s)(?:(?=(?<component>[^ ]+))\k<component>|(?<component>\S+))\s+\[(?<context>[^\]]+)]\s+(?<message>(?:(?![ \d]).| +(?! )|\d+(?!\d))*?) *(?<ms>(\d+))?(:?ms)?$`,
  },
  {
    name: 'envoy', format: 'regex', timeKey: 'start_time', timeFormat: `${ISO_MS}%z`, timeKeep: true,
    regex: String.raw`^\[(?<start_time>[^\]]*)\] ` + ENVOY_REQUEST + String.raw` (?<code>[^ ]*) (?<response_flags>[^ ]*) (?<bytes_received>[^ ]*) (?<bytes_sent>[^ ]*) (?<duration>[^ ]*) (?<x_envoy_upstream_service_time>[^ ]*) "(?<x_forwarded_for>[^ ]*)" "(?<user_agent>[^"]*)" "(?<request_id>[^"]*)" "(?<authority>[^ ]*)" "(?<upstream_host>[^ ]*)"`,
  },
  {
    name: 'istio-envoy-proxy', format: 'regex', timeKey: 'start_time', timeFormat: `${ISO_MS}%z`, timeKeep: true,
    regex: String.raw`^\[(?<start_time>[^\]]*)\] ` + ENVOY_REQUEST + String.raw` (?<response_code>[^ ]*) (?<response_flags>[^ ]*) (?<response_code_details>[^ ]*) (?<connection_termination_details>[^ ]*) "(?<upstream_transport_failure_reason>[^ ]*)" (?<bytes_received>[^ ]*) (?<bytes_sent>[^ ]*) (?<duration>[^ ]*) (?<x_envoy_upstream_service_time>[^ ]*) "(?<x_forwarded_for>[^ ]*)" "(?<user_agent>[^"]*)" "(?<x_request_id>[^"]*)" "(?<authority>[^ ]*)" "(?<upstream_host>[^ ]*)" (?<upstream_cluster>[^ ]*) (?<upstream_local_address>[^ ]*) (?<downstream_local_address>[^ ]*) (?<downstream_remote_address>[^ ]*) (?<requested_server_name>[^ ]*) (?<route_name>[^ ]*)$`,
  },
  {
    name: 'kmsg-netfilter-log', format: 'regex', timeKey: 'time', timeFormat: `${ISO_MS}%z`,
    regex: String.raw`^\<(?<pri>[0-9]{1,5})\>1 (?<time>[^ ]+) (?<host>[^ ]+) kernel - - - \[[0-9\.]*\] (?<logprefix>[^ ]*)\s?IN=(?<in>[^ ]*) OUT=(?<out>[^ ]*) MAC=(?<macsrc>[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}):(?<macdst>[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}):(?<ethtype>[0-9a-f]{2}:[0-9a-f]{2}) SRC=(?<saddr>[^ ]*) DST=(?<daddr>[^ ]*) LEN=(?<len>[^ ]*) TOS=(?<tos>[^ ]*) PREC=(?<prec>[^ ]*) TTL=(?<ttl>[^ ]*) ID=(?<id>[^ ]*) (D*F*)\s*PROTO=(?<proto>[^ ]*)\s?((SPT=)?(?<sport>[0-9]*))\s?((DPT=)?(?<dport>[0-9]*))\s?((LEN=)?(?<protolen>[0-9]*))\s?((WINDOW=)?(?<window>[0-9]*))\s?((RES=)?(?<res>0?x?[0-9]*))\s?(?<flag>[^ ]*)\s?((URGP=)?(?<urgp>[0-9]*))`,
  },
];

vetPatterns(BUILTIN_SPECS.map((s) => s.regex));
