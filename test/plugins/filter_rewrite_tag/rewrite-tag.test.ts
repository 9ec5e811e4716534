import { describe, expect, it } from 'vitest';
import { rewriteTagFilter } from '../../../plugins/filter_rewrite_tag/index.js';
import type { RawValue } from '../../../src/config/types.js';
import { pluginContext } from '../../helpers/plugin-context.js';
import { recs, startTestPipeline } from '../../helpers/test-pipeline.js';

const pipelineYaml = (filters: string, outputs = `    - name: collect
      match: '*'`, input = `    - name: manual
      tag: app.web`) => `service:
  flush: 20ms
pipeline:
  inputs:
${input}
  filters:
${filters}
  outputs:
${outputs}
`;

describe('rewrite_tag filter', () => {
  it('re-emits a matching record under the new tag and drops the original (KEEP false); others pass unchanged', async () => {
    const t = await startTestPipeline(pipelineYaml(`    - name: rewrite_tag
      match: 'app.*'
      rule: $level ^(error|fatal)$ alerts.$1 false`));
    t.input().emit(recs({ n: 1, level: 'info' }, { n: 2, level: 'error' }, { n: 3, level: 'fatal' }, { n: 4 }));
    await t.until(() => t.got.length === 4);
    await t.pipeline.shutdown();
    expect([...t.got].sort((a, b) => (a.record.n as number) - (b.record.n as number))).toEqual([
      { tag: 'app.web', record: { n: 1, level: 'info' } },
      { tag: 'alerts.error', record: { n: 2, level: 'error' } },
      { tag: 'alerts.fatal', record: { n: 3, level: 'fatal' } },
      { tag: 'app.web', record: { n: 4 } },
    ]);
    expect(t.counter('rewrite_tag.0', 'emit_records')).toBe(2);
    expect(t.counter('emitter_for_rewrite_tag.0', 'records')).toBe(2);
  });

  it('KEEP true keeps the original beside the copy; the two are independent records', async () => {
    const t = await startTestPipeline(pipelineYaml(`    - name: rewrite_tag
      match: 'app.*'
      rule: $log ^ERROR copy.$TAG true
    - name: modify
      match: 'copy.*'
      set: copied yes`));
    t.input().emit(recs({ log: 'ERROR boom', ctx: { a: 1 } }));
    await t.until(() => t.got.length === 2);
    await t.pipeline.shutdown();
    const byTag = Object.fromEntries(t.got.map((g) => [g.tag, g.record]));
    expect(byTag).toEqual({ 'app.web': { log: 'ERROR boom', ctx: { a: 1 } }, 'copy.app.web': { log: 'ERROR boom', ctx: { a: 1 }, copied: 'yes' } });
    expect(byTag['app.web']!.ctx).not.toBe(byTag['copy.app.web']!.ctx);
  });

  it('tries rules in order, the first match wins; keys are record accessors; only strings match', async () => {
    const t = await startTestPipeline(pipelineYaml(`    - name: rewrite_tag
      match: 'app.*'
      rule:
        - $kubernetes['namespace_name'] ^(kube-system)$ system.$1 false
        - $kubernetes['namespace_name'] ^.+$ ns.$kubernetes['namespace_name'].$TAG[1] false
        - $code ^5 server.errors false`));
    t.input().emit(recs(
      { n: 1, kubernetes: { namespace_name: 'kube-system' } },
      { n: 2, kubernetes: { namespace_name: 'shop' } },
      { n: 3, code: 503 },
      { n: 4, code: '503' },
    ));
    await t.until(() => t.got.length === 4);
    await t.pipeline.shutdown();
    expect(Object.fromEntries(t.got.map((g) => [g.record.n, g.tag]))).toEqual({ 1: 'system.kube-system', 2: 'ns.shop.web', 3: 'app.web', 4: 'server.errors' });
  });

  it('re-emitted records start again at the top (earlier filters see them) and never meet their rule again, even with match *', async () => {
    const t = await startTestPipeline(pipelineYaml(`    - name: record_modifier
      match: 'retagged.*'
      record: seen_by_first_filter yes
    - name: rewrite_tag
      match: '*'
      rule: $log .* retagged.$TAG false`));
    t.input().emit(recs({ log: 'a' }, { log: 'b' }));
    await t.until(() => t.got.length === 2);
    await new Promise((r) => setTimeout(r, 100)); // nothing more comes: no loop
    await t.pipeline.shutdown();
    expect(t.got).toEqual([
      { tag: 'retagged.app.web', record: { log: 'a', seen_by_first_filter: 'yes' } },
      { tag: 'retagged.app.web', record: { log: 'b', seen_by_first_filter: 'yes' } },
    ]);
  });

  it('a second rewrite_tag may re-tag what the first emitted (each skips only its own records)', async () => {
    const t = await startTestPipeline(pipelineYaml(`    - name: rewrite_tag
      match: 'app.*'
      rule: $log . stage1 false
    - name: rewrite_tag
      match: 'stage1'
      rule: $log . stage2 false`));
    t.input().emit(recs({ log: 'x' }));
    await t.until(() => t.got.length === 1);
    await t.pipeline.shutdown();
    expect(t.got).toEqual([{ tag: 'stage2', record: { log: 'x' } }]);
    expect(t.counter('emitter_for_rewrite_tag.0', 'records')).toBe(1);
    expect(t.counter('emitter_for_rewrite_tag.1', 'records')).toBe(1);
  });

  it('emitter_name names the emitter input; emitter_mem_buf_limit pauses the inputs feeding it until it drains, losing nothing', async () => {
    const t = await startTestPipeline(pipelineYaml(`    - name: rewrite_tag
      match: 'app.*'
      emitter_name: re_emitted
      emitter_mem_buf_limit: 2k
      rule: $log . moved false`), { gated: true });
    const ctx = t.input();
    let n = 0;
    while (ctx.emit(recs(...Array.from({ length: 10 }, () => ({ log: `line ${n++}` })))) && n < 10_000);
    expect(n).toBeLessThan(10_000);
    expect(t.pauses.get('manual.0')!.paused).toBe(1);
    expect(t.counter('re_emitted', 'paused')).toBe(1);
    t.open();
    await t.until(() => t.pauses.get('manual.0')!.resumed === 1);
    await t.pipeline.shutdown();
    expect(t.got.map((g) => g.record.log)).toEqual(Array.from({ length: n }, (_, i) => `line ${i}`));
    expect(new Set(t.got.map((g) => g.tag))).toEqual(new Set(['moved']));
  });

  it('refuses malformed rules with the line and the fix', async () => {
    const make = (rule: RawValue, more: Array<[string, RawValue]> = []) => Promise.resolve().then(() =>
      rewriteTagFilter.create({ ...pluginContext(rewriteTagFilter, [['match', '*'], ['rule', rule], ...more]), createEmitter: (o) => ({ id: o.name, emit: () => true }) }));
    const line = (p: Promise<unknown>) => p.then(() => 'no error', (e: { toLine(): string }) => e.toLine());
    expect(await line(make('$log ^x$ new'))).toBe("test.yaml:3:1: filter 'rewrite_tag.0': rule '$log ^x$ new': expects 4 parts (KEY REGEX NEW_TAG KEEP), got 3 (write it as rule: $KEY REGEX NEW_TAG KEEP (quote a part with spaces))");
    await expect(make('$log ^a b$ new false')).rejects.toThrow(/expects 4 parts \(KEY REGEX NEW_TAG KEEP\), got 5/);
    await expect(make('$log "^a b$" new false')).resolves.toBeDefined();
    await expect(make('$log ^(x new false')).rejects.toThrow(/invalid regular expression '\^\(x'/);
    await expect(make('$log ^x$ new maybe')).rejects.toThrow(/KEEP must be true or false, got 'maybe'/);
    await expect(make("$log ^x$ a.$k['x false")).rejects.toThrow(/new tag .*cannot read the record accessor/);
    await expect(Promise.resolve().then(() => rewriteTagFilter.create(pluginContext(rewriteTagFilter, [['match', '*']])))).rejects.toThrow(/needs 'rule'/);
  });
});
