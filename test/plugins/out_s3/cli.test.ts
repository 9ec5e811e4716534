import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePiece } from '../../../plugins/out_s3/store-files.js';
import { readFluentBitRows } from '../in_tail/sqlite-file.js';
import { startWren, tempDir, writeConfig } from '../../helpers/cli.js';
import { closeAll, KEY, range, SECRET } from '../../helpers/output-harness.js';
import { fakeS3, storedLines, until } from './harness.js';

afterEach(closeAll);

const N = 60_000;

/** Records staged in the s3 output's folder (the record counts of every whole frame). */
function stagedRecords(dir: string): number {
  let n = 0;
  try {
    for (const f of readdirSync(dir)) if (f.endsWith('.wbuf')) n += parsePiece(readFileSync(join(dir, f))).records;
  } catch {
    return 0;
  }
  return n;
}

/** The tail db's offset for the file (Fluent Bit's SQLite file, read with sql.js); 0 until written. */
async function dbOffset(db: string): Promise<number> {
  try {
    return (await readFluentBitRows(db))[0]?.offset ?? 0;
  } catch {
    return 0;
  }
}

describe('s3 end to end: kill -9 between parts, restart on the same store_dir', () => {
  it('every record lands in the bucket exactly once', async () => {
    const f = await fakeS3();
    const dir = tempDir('wren-s3-cli-');
    const log = join(dir, 'app.log');
    const pad = 'q'.repeat(200);
    writeFileSync(log, range(N).map((i) => JSON.stringify({ n: i, pad })).join('\n') + '\n');
    const size = readFileSync(log).length;
    const store = join(dir, 'store');
    const config = (exitOnEof: boolean) => writeConfig(`service:
  flush: 200ms
  grace: 10
pipeline:
  inputs:
    - name: tail
      path: ${log}
      tag: app.main
      read_from_head: on
      db: ${join(dir, 'tail.db')}
      parser: json
      exit_on_eof: ${exitOnEof ? 'on' : 'off'}
  outputs:
    - name: s3
      match: '*'
      bucket: logs
      region: us-east-1
      endpoint: ${f.url}
      store_dir: ${store}
      total_file_size: 100M
      upload_chunk_size: 5M
      s3_key_format: /archive/$TAG[1]/%Y/%m/%d/$UUID
`, dir, exitOnEof ? 'second.yaml' : 'first.yaml');
    const env = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET };

    // first run: one part goes up, then S3 refuses parts; everything read and staged; kill -9
    f.partLimit = 1;
    const first = startWren(['run', '-c', config(false)], { env });
    let saved = 0;
    let reading = false;
    await until(() => {
      if (!reading) {
        reading = true;
        void dbOffset(join(dir, 'tail.db')).then((o) => ((saved = o), (reading = false)));
      }
      return saved === size && stagedRecords(join(store, 'logs')) === N;
    }, 60_000, 'every line staged and its offset saved');
    await until(() => f.calls.some((c) => c.op === 'UploadPart' && c.status === 503), 60_000, 'a refused part');
    expect(f.calls.filter((c) => c.op === 'UploadPart' && c.status === 200)).toHaveLength(1);
    first.kill('SIGKILL');
    await first.exited;
    expect(f.objects.size).toBe(0);

    // second run: nothing left to read; the staged object is finished from store_dir
    f.partLimit = Infinity;
    f.refuseParts = false;
    const second = startWren(['run', '-c', config(true)], { env });
    const code = await second.exited;
    expect(code, second.stderr()).toBe(0);
    const rows = storedLines(f).map((r) => r.n as number);
    expect(rows.length).toBe(N);
    expect([...rows].sort((a, b) => a - b)).toEqual(range(N));
    expect([...f.objects.keys()].every((k) => /^archive\/main\/\d{4}\/\d{2}\/\d{2}\/[A-Za-z0-9]{8}$/.test(k))).toBe(true);
    expect(f.openUploads()).toBe(0);
    expect(f.signatureFailures).toEqual([]);
    expect(second.logs().some((l) => /found 1 object\(s\) staged by a previous run/.test(String(l.msg)))).toBe(true);
  }, 120_000);
});
