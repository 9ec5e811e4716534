import type { FilterDefinition } from '../../src/engine/types.js';
import { AWS_FILTER_OPTIONS } from './config.js';

/** Fluent Bit's aws filter: EC2 instance metadata on every record, fetched beside the pipeline. */
export const awsFilter: FilterDefinition = {
  kind: 'filter',
  name: 'aws',
  description: 'Adds EC2 instance metadata (az, ec2_instance_id, and optionally type, private IP, VPC, AMI, account, hostname, instance tags) from IMDS, fetched in the background: records never wait for it.',
  options: AWS_FILTER_OPTIONS,
  async create(ctx) {
    const { AwsFilter } = await import('./aws-filter.js');
    const f = new AwsFilter(ctx);
    f.start();
    return f;
  },
};
