import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { fileOutput } from '../../plugins/out_file/index.js';
import { stdoutOutput } from '../../plugins/out_stdout/index.js';
import { StdoutOutput } from '../../plugins/out_stdout/stdout-output.js';
import { ByteWriter } from '../../src/codec/byte-writer.js';
import { dateOptions, writeJsonFormat } from '../../src/codec/json.js';
import { EventData } from '../../src/engine/event-data.js';
import type { Chunk } from '../../src/engine/types.js';
import { pluginContext } from '../helpers/plugin-context.js';
import * as cw from '../plugins/out_cloudwatch_logs/harness.js';
import * as os from '../plugins/out_opensearch/harness.js';

/**
 * Every encoder survives any record it is handed: the records of a chunk are JSON bytes, and one
 * that a format cannot write (here JSON nested 100,000 deep, which JSON.parse reads but nothing
 * recursive can write back) costs only itself; its neighbours are delivered.
 */

const DEEP = '{"v":' + '['.repeat(100_000) + ']'.repeat(100_000) + ',"n":2,"k.dot":2}';
const LINES = ['{"v":"first","n":1,"k.dot":1}', DEEP, '{"v":"\\ud800 lone surrogate","n":3,"__proto__":{"x":1},"big":9007199254740993,"k.dot":3}'];

function hostileChunk(): Chunk {
  const bufs = LINES.map((l) => Buffer.from(l));
  const starts = new Uint32Array(bufs.length + 1);
  let at = 0;
  bufs.forEach((b, i) => { starts[i] = at; at += b.length; });
  starts[bufs.length] = at;
  return { id: 'c', tag: 'app', attempt: 0, data: new EventData(Buffer.concat(bufs), starts, new Float64Array([Date.now(), Date.now(), Date.now()])) };
}

afterEach(async () => {
  await cw.closeAll();
  await os.closeAll();
});

describe('encoders given any record', () => {
  it('file: every format writes the others and drops only the record it cannot write; files are 0600', async () => {
    for (const format of ['out_file', 'plain', 'csv', 'ltsv', 'template']) {
      const dir = mkdtempSync(join(tmpdir(), 'wren-enc-'));
      const ctx = pluginContext(fileOutput, [['match', '*'], ['path', dir], ['file', 'out.log'], ['format', format], ['template', '{n} {v}']]);
      const out = await fileOutput.create(ctx);
      const r = await out.flush(hostileChunk());
      const text = readFileSync(join(dir, 'out.log'), 'utf8');
      expect(r.status, format).toBe('ok');
      expect(text, format).toContain('first');
      expect(text, format).toContain('lone surrogate');
      expect(statSync(join(dir, 'out.log')).mode & 0o777).toBe(0o600);
    }
  });

  it('stdout: readable and JSON formats splice the bytes', async () => {
    for (const format of ['msgpack', 'json', 'json_lines']) {
      let text = '';
      const sink = new Writable({ write(c, _e, cb) { text += String(c); cb(); } });
      const out = new StdoutOutput(pluginContext(stdoutOutput, [['match', '*'], ['format', format]]), sink);
      expect((await out.flush(hostileChunk())).status).toBe('ok');
      expect(text).toContain('9007199254740993');
    }
  });

  it('http: every body format splices the bytes (the deep record is sent as it was read)', () => {
    for (const format of ['json', 'json_lines', 'json_stream'] as const) {
      const w = ByteWriter.forBytes(16);
      writeJsonFormat(w, format, hostileChunk().data, dateOptions('date', 'double'));
      const body = w.buf.subarray(0, w.pos).toString();
      expect(body, format).toContain('"n":1');
      expect(body, format).toContain('"big":9007199254740993');
      expect(body, format).toContain('[[[[');
    }
  });

  it('cloudwatch_logs with log_key: the deep record is counted and left out, the others are delivered', async () => {
    const h = await cw.harness([['log_group_name', 'g'], ['log_stream_name', 's'], ['auto_create_group', 'on'], ['log_key', 'v']]);
    const r = await h.out.flush(hostileChunk());
    expect(r.status).toBe('ok');
    expect(h.fake.events('g', 's').map((e) => e.message)).toEqual(['first', '\ud800 lone surrogate']);
  });

  it('opensearch with replace_dots: the deep record goes to the dead letters alone, the others are indexed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-enc-'));
    const fake = await os.startFake();
    const { out } = await os.startOutput(fake, [['index', 'logs'], ['replace_dots', 'on'], ['dead_letter_path', join(dir, 'dead.ndjson')]]);
    await os.deliver(out, hostileChunk());
    expect(fake.documents('logs').map((d) => d.n)).toEqual([1, 3]);
    expect(fake.actions.some((a) => a.line.includes('"big":9007199254740993'))).toBe(true);
    const dead = readFileSync(join(dir, 'dead.ndjson'), 'utf8');
    expect(dead.split('\n').filter(Boolean)).toHaveLength(1);
    expect(statSync(join(dir, 'dead.ndjson')).mode & 0o777).toBe(0o600);
  });
});
