import type { OutputDefinition } from '../../src/engine/types.js';
import { CLOUDWATCH_OPTIONS } from './config.js';

/** Sends records to Amazon CloudWatch Logs (PutLogEvents), creating groups and streams as needed. */
export const cloudwatchLogsOutput: OutputDefinition = {
  kind: 'output',
  name: 'cloudwatch_logs',
  description: 'Sends records to Amazon CloudWatch Logs (PutLogEvents, SigV4), one log group and stream per record via templates.',
  options: CLOUDWATCH_OPTIONS,
  async create(ctx) {
    const { CloudWatchLogsOutput } = await import('./cloudwatch-output.js');
    return new CloudWatchLogsOutput(ctx);
  },
};
