import type { OutputDefinition } from '../../src/engine/types.js';
import { GO_CLOUDWATCH_OPTIONS } from './options.js';

/** The aws-for-fluent-bit Go plugin's `cloudwatch`, its keys mapped onto cloudwatch_logs. */
export const cloudwatchOutput: OutputDefinition = {
  kind: 'output',
  name: 'cloudwatch',
  description: "cloudwatch_logs under the aws-for-fluent-bit Go plugin's name and keys: $(var) templates in log_group_name / log_stream_name with default_log_group_name / default_log_stream_name, new_log_group_tags, auto_create_stream, credentials_endpoint.",
  options: GO_CLOUDWATCH_OPTIONS,
  async create(ctx) {
    const { createGoCloudWatch } = await import('./go-cloudwatch.js');
    return createGoCloudWatch(ctx);
  },
};
