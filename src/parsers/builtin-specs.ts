import type { ParserSpec } from './spec.js';

/**
 * Named parsers Wren ships, from Fluent Bit's conf/parsers.conf (same names, regexes and times),
 * so a config that says `parser: apache` or `parser: syslog-rfc5424` works without a `parsers:`
 * section. `json` and `logfmt` are plain (no time handling); `docker` and `cri` are the fast
 * container-log parsers. A `parsers:` entry with the same name replaces the built-in one.
 */
const HTTP_TIME = { timeKey: 'time', timeFormat: '%d/%b/%Y:%H:%M:%S %z' } as const;
const ISO_MS = '%Y-%m-%dT%H:%M:%S.%L';

export const BUILTIN_SPECS: readonly ParserSpec[] = [
  { name: 'json', format: 'json' },
  { name: 'logfmt', format: 'logfmt' },
  {
    name: 'apache', format: 'regex', ...HTTP_TIME,
    regex: '^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^\\"]*?)(?: +\\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\\"]*)" "(?<agent>[^\\"]*)")?$',
  },
  {
    name: 'apache2', format: 'regex', ...HTTP_TIME,
    regex: '^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^ ]*) +\\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\\"]*)" "(?<agent>.*)")?$',
  },
  {
    name: 'apache_error', format: 'regex',
    regex: '^\\[[^ ]* (?<time>[^\\]]*)\\] \\[(?<level>[^\\]]*)\\](?: \\[pid (?<pid>[^\\]]*)\\])?( \\[client (?<client>[^\\]]*)\\])? (?<message>.*)$',
  },
  {
    name: 'nginx', format: 'regex', ...HTTP_TIME,
    regex: '^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^\\"]*?)(?: +\\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\\"]*)" "(?<agent>[^\\"]*)")?$',
  },
  {
    name: 'k8s-nginx-ingress', format: 'regex', ...HTTP_TIME,
    regex: '^(?<host>[^ ]*) - \\[(?<real_ip>[^ ]*)\\] - (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^\\"]*?)(?: +\\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*) "(?<referer>[^\\"]*)" "(?<agent>[^\\"]*)" (?<request_length>[^ ]*) (?<request_time>[^ ]*) \\[(?<proxy_upstream_name>[^ ]*)\\] (?<upstream_addr>[^ ]*) (?<upstream_response_length>[^ ]*) (?<upstream_response_time>[^ ]*) (?<upstream_status>[^ ]*) (?<last>[^$]*)',
  },
  {
    name: 'docker-daemon', format: 'regex', timeKey: 'time', timeFormat: ISO_MS, timeKeep: true,
    regex: 'time="(?<time>[^ ]*)" level=(?<level>[^ ]*) msg="(?<msg>[^ ].*)"',
  },
  {
    name: 'syslog-rfc5424', format: 'regex', timeKey: 'time', timeFormat: ISO_MS, timeKeep: true,
    regex: '^\\<(?<pri>[0-9]{1,5})\\>1 (?<time>[^ ]+) (?<host>[^ ]+) (?<ident>[^ ]+) (?<pid>[-0-9]+) (?<msgid>[^ ]+) (?<extradata>(\\[(.*)\\]|-)) (?<message>.+)$',
  },
  {
    name: 'syslog-rfc3164-local', format: 'regex', timeKey: 'time', timeFormat: '%b %d %H:%M:%S', timeKeep: true,
    regex: '^\\<(?<pri>[0-9]+)\\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<ident>[a-zA-Z0-9_\\/\\.\\-]*)(?:\\[(?<pid>[0-9]+)\\])?(?:[^\\:]*\\:)? *(?<message>.*)$',
  },
  {
    name: 'syslog-rfc3164', format: 'regex', timeKey: 'time', timeFormat: '%b %d %H:%M:%S', timeKeep: true,
    regex: '/^\\<(?<pri>[0-9]+)\\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[a-zA-Z0-9_\\/\\.\\-]*)(?:\\[(?<pid>[0-9]+)\\])?(?:[^\\:]*\\:)? *(?<message>.*)$/',
  },
  {
    name: 'mongodb', format: 'regex', timeKey: 'time', timeFormat: ISO_MS, timeKeep: true,
    regex: '^(?<time>[^ ]*)\\s+(?<severity>\\w)\\s+(?<component>[^ ]+)\\s+\\[(?<context>[^\\]]+)]\\s+(?<message>.*?) *(?<ms>(\\d+))?(:?ms)?$',
  },
  {
    name: 'kube-custom', format: 'regex',
    regex: '(?<tag>[^.]+)?\\.?(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)_(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<docker_id>[a-z0-9]{64})\\.log$',
  },
];
