import type { OptionSpec } from '../../src/config/types.js';
import { CLOUDWATCH_AWS_OPTIONS } from '../../src/aws/options.js';
import { PROXY_OPTIONS, TLS_OPTIONS } from '../../src/net/options.js';
import { NET_OPTIONS } from '../../src/sink/options.js';
import { CLOUDWATCH_EXTRA_OPTIONS, RETENTION_DAYS } from '../out_cloudwatch_logs/config.js';

/** The aws-for-fluent-bit Go cloudwatch plugin's keys (data only). */
export const GO_CLOUDWATCH_OPTIONS: readonly OptionSpec[] = [
  { key: 'log_group_name', type: 'string', required: true, desc: "Log group; may hold $(var) templates: $(tag), $(tag[n]), $(uuid), $(ecs_task_id), $(ecs_cluster), $(ecs_task_arn), $(key['sub']) of the record." },
  { key: 'default_log_group_name', type: 'string', default: 'fluentbit-default', desc: 'Log group used when a $(var) of log_group_name cannot be filled.' },
  { key: 'log_stream_name', type: 'string', desc: 'Log stream; may hold $(var) templates as log_group_name. Set this or log_stream_prefix.' },
  { key: 'default_log_stream_name', type: 'string', default: '/fluentbit-default', desc: 'Log stream used when a $(var) of log_stream_name cannot be filled.' },
  { key: 'log_stream_prefix', type: 'string', desc: "Log stream is this prefix followed by the record's tag (the same as log_stream_name prefix-$(tag))." },
  { key: 'log_key', type: 'string', desc: "Send only this key's value as the message (text as is, other values as JSON)." },
  { key: 'log_format', type: 'string', enum: ['json/emf'], desc: 'json/emf: the messages are Embedded Metric Format JSON.' },
  { key: 'auto_create_group', type: 'bool', default: 'off', desc: 'Create missing log groups (with new_log_group_tags and log_retention_days).' },
  { key: 'auto_create_stream', type: 'bool', default: 'on', desc: 'Create missing log streams.' },
  { key: 'new_log_group_tags', type: 'string', desc: 'Tags of the log groups this output creates: key=value pairs, comma-separated.' },
  { key: 'log_retention_days', type: 'int', min: 0, desc: `Retention of the log groups this output creates (0: never expire). One of ${RETENTION_DAYS.join(', ')}.` },
  { key: 'endpoint', type: 'string', desc: 'CloudWatch Logs endpoint (host or URL); default as for cloudwatch_logs.' },
  { key: 'credentials_endpoint', type: 'string', desc: 'HTTP endpoint that answers credentials as the ECS container endpoint does (loopback, 169.254.170.2 or 169.254.170.23 hosts): used instead of the credential chain.' },
  ...CLOUDWATCH_EXTRA_OPTIONS,
  ...TLS_OPTIONS.filter((o) => o.key !== 'tls'),
  ...PROXY_OPTIONS,
  ...NET_OPTIONS,
  ...CLOUDWATCH_AWS_OPTIONS,
];
