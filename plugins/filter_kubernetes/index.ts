import type { FilterDefinition } from '../../src/engine/types.js';
import { KUBERNETES_OPTIONS } from './config.js';

/** `kubernetes` filter (Fluent Bit's): Kubernetes metadata from the tag and the API, and JSON log merging. */
export const kubernetesFilter: FilterDefinition = {
  kind: 'filter',
  name: 'kubernetes',
  description: 'Add Kubernetes metadata (pod, namespace, container from the log file name; labels, annotations, host… from the API) and merge JSON logs.',
  options: KUBERNETES_OPTIONS,
  async create(ctx) {
    const { createKubernetesFilter } = await import('./create-filter.js');
    return createKubernetesFilter(ctx);
  },
};
