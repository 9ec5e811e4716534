import type { OutgoingRequest } from '../../src/net/request.js';
import type { PutBatch } from './batch.js';
import type { Encoded } from './encode.js';

/**
 * CloudWatch Logs speaks the JSON 1.1 protocol: `POST /` with the operation in
 * `X-Amz-Target: Logs_20140328.<Operation>` and the input as a JSON object.
 */
export type Operation = 'PutLogEvents' | 'CreateLogGroup' | 'CreateLogStream' | 'PutRetentionPolicy';

export const TARGET_PREFIX = 'Logs_20140328.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

export function jsonRequest(url: URL, op: Operation, body: string | Uint8Array, logFormat?: string, userAgent = 'wren'): OutgoingRequest {
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPE,
    'x-amz-target': TARGET_PREFIX + op,
    'user-agent': userAgent,
  };
  if (logFormat && op === 'PutLogEvents') headers['x-amzn-logs-format'] = logFormat;
  return { method: 'POST', url, headers, body };
}

/**
 * The PutLogEvents input of one batch (no sequence token), as UTF-8 bytes: built right before the
 * call, in one join, so the per-event pieces die young and only one buffer is kept.
 */
export function putLogEventsBody(batch: PutBatch, enc: Encoded): Buffer {
  const idx = batch.idx;
  const parts = new Array<string>(idx.length + 2);
  parts[0] = `{"logGroupName":${JSON.stringify(batch.group)},"logStreamName":${JSON.stringify(batch.stream)},"logEvents":[`;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    parts[k + 1] = (k ? ',{"timestamp":' : '{"timestamp":') + enc.times[i]! + ',"message":' + JSON.stringify(enc.msgs[i]!) + '}';
  }
  parts[idx.length + 1] = ']}';
  return Buffer.from(parts.join(''), 'utf8');
}

export function createLogGroupBody(group: string, groupClass: string | undefined, tags?: Record<string, string>): string {
  const input: Record<string, unknown> = { logGroupName: group };
  if (groupClass) input.logGroupClass = groupClass;
  if (tags && Object.keys(tags).length > 0) input.tags = tags;
  return JSON.stringify(input);
}

export function createLogStreamBody(group: string, stream: string): string {
  return JSON.stringify({ logGroupName: group, logStreamName: stream });
}

export function putRetentionPolicyBody(group: string, days: number): string {
  return JSON.stringify({ logGroupName: group, retentionInDays: days });
}
