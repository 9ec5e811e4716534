import { afterEach, describe, expect, it } from 'vitest';
import { runWren, startWren, writeConfig } from '../../helpers/cli.js';
import { QUICK_RETRY_SERVICE } from '../../helpers/config-yaml.js';
import { closeAll, KEY, SECRET, startFake } from './harness.js';

afterEach(closeAll);

const lines = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ seq: i, msg: `line ${i}`, 'http.status': 200 })).join('\n') + '\n';

describe('opensearch end to end (the real CLI: stdin → es → loopback _bulk)', () => {
  it('stores exactly the documents, once each, across item 429s and a 503, every request signed', async () => {
    const fake = await startFake({
      itemFault: ({ doc, attempt }) => ((doc.seq as number) % 50 === 0 && attempt === 1 ? { status: 429 } : undefined),
      requestFault: ({ n }) => (n === 2 ? { status: 503, headers: { 'retry-after': '0' } } : undefined),
    });
    const file = writeConfig(`${QUICK_RETRY_SERVICE}
pipeline:
  inputs:
    - name: stdin
      tag: app
  outputs:
    - name: es
      match: '*'
      host: 127.0.0.1
      port: ${fake.port}
      index: app-logs
      include_tag_key: on
      tag_key: tag
      replace_dots: on
      compress: gzip
      batch_size: 64k
      aws_auth: on
      aws_region: \${AWS_REGION}
`);
    const w = startWren(['run', '-c', file], { stdin: lines(2000), env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1' } });
    const code = await w.exited;
    expect(code, w.stderr()).toBe(0);
    const docs = fake.documents('app-logs').sort((a, b) => (a.seq as number) - (b.seq as number));
    expect(docs).toHaveLength(2000);
    for (const d of docs) expect(d['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(docs.map(({ '@timestamp': _t, ...rest }) => rest)).toEqual(
      Array.from({ length: 2000 }, (_, i) => ({ seq: i, msg: `line ${i}`, http_status: 200, tag: 'app' })));
    expect(fake.statuses).toContain(503);
    expect(fake.actions.filter((a) => a.status === 429)).toHaveLength(40);
    expect(fake.signatureFailures).toEqual([]);
    expect(fake.verified).toBe(fake.requests.length);
    expect(w.logs().filter((l) => /will retry/.test(String(l.msg))).length).toBeGreaterThanOrEqual(2);
  });

  it('wren check names the fix for update without an id, and accepts the es alias', async () => {
    const bad = writeConfig(`pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: es
      match: '*'
      write_operation: update
`);
    const r = await runWren(['check', '-c', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/write_operation update needs a document id, and neither id_key nor generate_id is set \(set id_key to the field that holds the id, or generate_id: on\)/);
    const good = writeConfig(`pipeline:
  inputs:
    - name: dummy
  outputs:
    - name: es
      match: '*'
      logstash_format: on
      id_key: id
      write_operation: upsert
`);
    const ok = await runWren(['check', '-c', good]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/opensearch/);
  });
});
