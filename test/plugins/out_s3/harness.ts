import { gunzipSync } from 'node:zlib';
import { s3Output } from '../../../plugins/out_s3/index.js';
import type { S3Output } from '../../../plugins/out_s3/s3-output.js';
import type { RawValue } from '../../../src/config/types.js';
import { startFakeS3, type FakeS3 } from '../../helpers/fake-s3.js';
import { tempDir } from '../../helpers/cli.js';
import { KEY, makeOutput, onClose, SECRET } from '../../helpers/output-harness.js';
import { until as waitUntil } from '../../helpers/until.js';

export async function fakeS3(buckets = ['logs']): Promise<FakeS3> {
  const f = await startFakeS3({ buckets, accessKeyId: KEY, secretAccessKey: SECRET });
  onClose(() => f.close());
  return f;
}

export async function s3(f: { url: string }, entries: Array<[string, RawValue]> = [], storeDir = tempDir('wren-s3-')) {
  const base: Array<[string, RawValue]> = [['region', 'us-east-1'], ['bucket', 'logs'], ['endpoint', f.url], ['store_dir', storeDir]];
  const r = await makeOutput<S3Output>(s3Output, [...base.filter(([k]) => !entries.some(([e]) => e === k)), ...entries]);
  return { ...r, storeDir };
}

/** Records (parsed JSON lines) of every object, objects in key order. */
export function storedLines(f: FakeS3, gz = false): Array<Record<string, unknown>> {
  const keys = [...f.objects.keys()].sort();
  return keys.flatMap((k) => {
    const body = f.objects.get(k)!.body;
    return (gz ? gunzipSync(body) : body).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  });
}

/** Wait until `cond` holds (polling), or fail after `ms` (10 s by default here: uploads back off). */
export const until = (cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> => waitUntil(cond, ms, what, 20);
