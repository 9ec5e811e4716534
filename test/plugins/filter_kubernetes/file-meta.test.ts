import { describe, expect, it } from 'vitest';
import { PluginOptions } from '../../../src/config/types.js';
import type { LogEvent } from '../../../src/engine/types.js';
import { buildParsers } from '../../../src/parsers/registry.js';
import { kubernetesFilter } from '../../../plugins/filter_kubernetes/index.js';
import { trimValue } from '../../../plugins/filter_kubernetes/merge-log.js';
import { contextFor } from '../filter_parser/context.js';

const ID = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'b'.repeat(8);
const TAG = `kube.var.log.containers.web-7d4b9c-x2x9z_shop_nginx-${ID}.log`;
const FILE_META = { pod_name: 'web-7d4b9c-x2x9z', namespace_name: 'shop', container_name: 'nginx', docker_id: ID };

const { lookup } = buildParsers([
  { options: new PluginOptions(new Map(Object.entries({ name: 'kv', format: 'logfmt', time_key: 'ts', time_format: '%s' })), new Map()) },
  { options: new PluginOptions(new Map(Object.entries({ name: 'custom-tag', format: 'regex', regex: '^(?<namespace_name>[^.]+)\\.(?<pod_name>[^.]+)\\.(?<container_name>[^.]+)$' })), new Map()) },
]);

async function run(opts: Record<string, unknown>, records: Array<Record<string, unknown>>, tag = TAG): Promise<LogEvent[]> {
  const inst = await kubernetesFilter.create(contextFor(kubernetesFilter.options, { use_tag_for_meta: 'on', ...opts }, lookup));
  const out = await inst.filter(records.map((record) => ({ time: 5, record })), tag);
  await inst.stop?.();
  return out;
}

describe('kubernetes filter: file-name metadata', () => {
  it('adds pod_name, namespace_name, container_name and docker_id from the tag', async () => {
    const out = await run({}, [{ log: 'hello', stream: 'stdout' }, { log: 'world', stream: 'stderr' }]);
    expect(out).toEqual([
      { time: 5, record: { log: 'hello', stream: 'stdout', kubernetes: FILE_META } },
      { time: 5, record: { log: 'world', stream: 'stderr', kubernetes: FILE_META } },
    ]);
    // One map per container, shared by its records.
    expect(out[0]!.record.kubernetes).toBe(out[1]!.record.kubernetes);
  });

  it('handles dotted pod names, custom prefixes, and leaves other tags alone', async () => {
    const tag = `k8s.app.v2.pod-1_default_side-car-${ID}.log`;
    expect((await run({ kube_tag_prefix: 'k8s.' }, [{ log: 'x' }], tag))[0]!.record.kubernetes)
      .toEqual({ pod_name: 'app.v2.pod-1', namespace_name: 'default', container_name: 'side-car', docker_id: ID });
    expect(await run({}, [{ log: 'x' }], 'app.logs')).toEqual([{ time: 5, record: { log: 'x' } }]);
    expect(await run({}, [{ log: 'x' }], 'kube.var.log.containers.not-a-container.log')).toEqual([{ time: 5, record: { log: 'x' } }]);
  });

  it('reads a tag without the prefix from its file-name part (tail paths outside /var/log/containers)', async () => {
    expect((await run({}, [{ log: 'x' }], `kube.home.me.logs.web-7d4b9c-x2x9z_shop_nginx-${ID}.log`))[0]!.record.kubernetes).toEqual(FILE_META);
  });

  it('reads the tag with regex_parser when given', async () => {
    expect((await run({ kube_tag_prefix: 'k.', regex_parser: 'custom-tag' }, [{ log: 'x' }], 'k.ns1.pod1.c1'))[0]!.record.kubernetes)
      .toEqual({ pod_name: 'pod1', namespace_name: 'ns1', container_name: 'c1' });
  });
});

describe('kubernetes filter: merge_log', () => {
  it('merges a JSON log at the top level, keeping log (keep_log on by default) and trimming newlines', async () => {
    const out = await run({ merge_log: 'on' }, [{ log: '{"level":"info","msg":"hi\\n","n":1,"nested":{"a":true}}\n', stream: 'stdout' }]);
    expect(out[0]!.record).toEqual({
      log: '{"level":"info","msg":"hi\\n","n":1,"nested":{"a":true}}\n', stream: 'stdout',
      level: 'info', msg: 'hi', n: 1, nested: { a: true }, kubernetes: FILE_META,
    });
    expect(Object.keys(out[0]!.record)).toEqual(['log', 'stream', 'level', 'msg', 'n', 'nested', 'kubernetes']);
  });

  it('merges under merge_log_key', async () => {
    const out = await run({ merge_log: 'on', merge_log_key: 'app' }, [{ log: '{"level":"warn"}', stream: 'stdout' }]);
    expect(out[0]!.record).toEqual({ log: '{"level":"warn"}', stream: 'stdout', app: { level: 'warn' }, kubernetes: FILE_META });
  });

  it('drops log with keep_log off, only when the merge happened', async () => {
    const out = await run({ merge_log: 'on', keep_log: 'off' }, [{ log: '{"a":1}', stream: 'stdout' }, { log: 'plain text', stream: 'stdout' }]);
    expect(out.map((e) => e.record)).toEqual([
      { stream: 'stdout', a: 1, kubernetes: FILE_META },
      { log: 'plain text', stream: 'stdout', kubernetes: FILE_META },
    ]);
  });

  it('leaves non-object and broken JSON alone, and merges a log that already is a map', async () => {
    const out = await run({ merge_log: 'on' }, [{ log: '[1,2]' }, { log: '{"broken":' }, { log: '"str"' }, { log: { k: 'v\n' } }, { other: 1 }]);
    expect(out.map((e) => e.record)).toEqual([
      { log: '[1,2]', kubernetes: FILE_META },
      { log: '{"broken":', kubernetes: FILE_META },
      { log: '"str"', kubernetes: FILE_META },
      { log: { k: 'v\n' }, k: 'v\n', kubernetes: FILE_META },
      { other: 1, kubernetes: FILE_META },
    ]);
  });

  it('uses merge_parser instead of JSON, and its time', async () => {
    const out = await run({ merge_log: 'on', merge_parser: 'kv', merge_log_trim: 'off' }, [{ log: 'ts=1700000000 level=debug' }]);
    expect(out).toEqual([{ time: 1_700_000_000_000, record: { log: 'ts=1700000000 level=debug', level: 'debug', kubernetes: FILE_META } }]);
  });

  it('does nothing to log without merge_log', async () => {
    expect((await run({}, [{ log: '{"a":1}' }]))[0]!.record).toEqual({ log: '{"a":1}', kubernetes: FILE_META });
  });

  it('trims like Fluent Bit', () => {
    expect(trimValue('a\n\n')).toBe('a');
    expect(trimValue('a\\n\\r')).toBe('a');
    expect(trimValue('\n')).toBe('\n');
    expect(trimValue('a\\nb')).toBe('a\\nb');
  });

  it('refuses an unknown merge_parser', async () => {
    await expect(async () => kubernetesFilter.create(contextFor(kubernetesFilter.options, { merge_parser: 'nope' }, lookup)))
      .rejects.toThrow(/merge_parser 'nope' is not a defined parser/);
  });
});
