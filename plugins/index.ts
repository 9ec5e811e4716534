import type { PluginDefinition } from '../src/engine/types.js';
import { awsFilter } from './filter_aws/index.js';
import { grepFilter } from './filter_grep/index.js';
import { kubernetesFilter } from './filter_kubernetes/index.js';
import { modifyFilter } from './filter_modify/index.js';
import { nestFilter } from './filter_nest/index.js';
import { multilineFilter } from './filter_multiline/index.js';
import { parserFilter } from './filter_parser/index.js';
import { recordModifierFilter } from './filter_record_modifier/index.js';
import { rewriteTagFilter } from './filter_rewrite_tag/index.js';
import { dummyInput } from './in_dummy/index.js';
import { forwardInput } from './in_forward/index.js';
import { httpInput } from './in_http/index.js';
import { stdinInput } from './in_stdin/index.js';
import { systemdInput } from './in_systemd/index.js';
import { tailInput } from './in_tail/index.js';
import { tcpInput } from './in_tcp/index.js';
import { cloudwatchOutput } from './out_cloudwatch/index.js';
import { cloudwatchLogsOutput } from './out_cloudwatch_logs/index.js';
import { fileOutput } from './out_file/index.js';
import { firehoseOutput } from './out_firehose/index.js';
import { httpOutput } from './out_http/index.js';
import { kinesisOutput } from './out_kinesis/index.js';
import { kinesisFirehoseOutput } from './out_kinesis_firehose/index.js';
import { kinesisStreamsOutput } from './out_kinesis_streams/index.js';
import { nullOutput } from './out_null/index.js';
import { opensearchOutput } from './out_opensearch/index.js';
import { s3Output } from './out_s3/index.js';
import { stdoutOutput } from './out_stdout/index.js';

/**
 * Every plugin Wren ships. One folder a plugin, named as in Fluent Bit (`in_tail`, `out_http`);
 * each folder's index.ts exports its definition. Add new plugins here, one import line each.
 */
export const PLUGINS: readonly PluginDefinition[] = [
  dummyInput,
  stdinInput,
  tailInput,
  forwardInput,
  tcpInput,
  httpInput,
  systemdInput,
  grepFilter,
  modifyFilter,
  parserFilter,
  multilineFilter,
  kubernetesFilter,
  recordModifierFilter,
  nestFilter,
  rewriteTagFilter,
  awsFilter,
  stdoutOutput,
  nullOutput,
  fileOutput,
  httpOutput,
  cloudwatchLogsOutput,
  cloudwatchOutput,
  opensearchOutput,
  kinesisFirehoseOutput,
  firehoseOutput,
  kinesisStreamsOutput,
  kinesisOutput,
  s3Output,
];
