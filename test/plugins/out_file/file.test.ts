import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileOutput } from '../../../plugins/out_file/index.js';
import type { Chunk } from '../../../src/engine/types.js';
import { tempDir } from '../../helpers/cli.js';
import { pluginContext } from '../../helpers/plugin-context.js';
import { chunkOf } from '../../helpers/chunks.js';

const chunk: Chunk = chunkOf([{ time: 1700000000500, record: { message: 'hi', level: 'info' } }], 'app.log');

describe('file output', () => {
  it('appends in Fluent Bit formats', async () => {
    const dir = tempDir();
    const cases: Array<[string, string]> = [
      ['out_file', 'app.log: [1700000000.500000, {"message":"hi","level":"info"}]\n'],
      ['plain', '{"message":"hi","level":"info"}\n'],
      ['csv', '1700000000.500000,hi,info\n'],
      ['ltsv', 'time:1700000000.500000\tmessage:hi\tlevel:info\n'],
      ['template', '1700000000.500000 hi\n'],
    ];
    for (const [format, expected] of cases) {
      const o = await fileOutput.create(pluginContext(fileOutput, [['match', '*'], ['path', dir], ['file', format], ['format', format]]));
      expect(await o.flush(chunk)).toEqual({ status: 'ok' });
      expect(readFileSync(join(dir, format), 'utf8')).toBe(expected);
    }
  });

  it('names the file after the tag by default and retries with the fix when the folder is missing', async () => {
    const dir = join(tempDir(), 'missing');
    const o = await fileOutput.create(pluginContext(fileOutput, [['match', '*'], ['path', dir]]));
    expect(await o.flush(chunk)).toMatchObject({ status: 'retry', reason: expect.stringMatching(/set mkdir: on/) });
    const m = await fileOutput.create(pluginContext(fileOutput, [['match', '*'], ['path', dir], ['mkdir', 'on']]));
    expect(await m.flush(chunk)).toEqual({ status: 'ok' });
    expect(readFileSync(join(dir, 'app.log'), 'utf8')).toMatch(/^app\.log: /);
  });
});
