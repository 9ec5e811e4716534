import type { OptionSpec } from '../config/types.js';

/** Network timeouts of the HTTP-based outputs (Fluent Bit's net.* keys). */
export const NET_OPTIONS: readonly OptionSpec[] = [
  { key: 'net.connect_timeout', type: 'time', default: '10s', min: 1, desc: 'Longest wait to connect to the destination.' },
  { key: 'net.io_timeout', type: 'time', default: '60s', min: 1, desc: 'Longest wait for a whole request and its answer.' },
];
