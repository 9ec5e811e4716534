import { describe, expect, it } from 'vitest';
import { compileTagTemplate } from '../../../plugins/filter_rewrite_tag/tag-template.js';

const render = (src: string, record: Record<string, unknown>, tag = 'kube.var.log.app', match?: string[]) => {
  const caps = match ? Object.assign([...match], { index: 0, input: match[0] }) as unknown as RegExpExecArray : null;
  return compileTagTemplate(src).render(record, tag, caps);
};

describe('rewrite_tag NEW_TAG templates (Fluent Bit record accessor translation)', () => {
  it('$0…$9 are the captures; one missing renders as nothing', () => {
    expect(render('app.$1.$2', {}, 't', ['x-y', 'x', 'y'])).toBe('app.x.y');
    expect(render('all.$0', {}, 't', ['whole'])).toBe('all.whole');
    expect(render('a.$3.b', {}, 't', ['x', 'y'])).toBe('a..b');
    expect(compileTagTemplate('a.$1').usesCaptures).toBe(true);
    expect(compileTagTemplate('a.$TAG').usesCaptures).toBe(false);
  });

  it('$TAG is the tag; $TAG[n] its n-th dotted part, nothing when out of range', () => {
    expect(render('new.$TAG', {})).toBe('new.kube.var.log.app');
    expect(render('$TAG[0].$TAG[3]', {})).toBe('kube.app');
    expect(render('x$TAG[9]y', {})).toBe('xy');
    expect(render('$TAG[0]', {}, 'single')).toBe('single');
  });

  it("record fields: $key and $key['sub'], ending at a dot, space, comma or quote outside quotes", () => {
    const r = { level: 'error', kubernetes: { namespace_name: 'prod', labels: { 'app.kubernetes.io/name': 'web' } }, n: 42, f: 1.5, ok: true, nil: null, m: { a: 1 } };
    expect(render("ns.$kubernetes['namespace_name'].logs", r)).toBe('ns.prod.logs');
    expect(render("app.$kubernetes['labels']['app.kubernetes.io/name']", r)).toBe('app.web');
    expect(render('$level.$TAG[1]', r)).toBe('error.var');
    expect(render('$n,$f,$ok,$nil,$m', r)).toBe('42,1.500000,true,null,{"a":1}');
    expect(render('x.$missing.y', r)).toBe('x..y');
    expect(render('cost$', r)).toBe('cost$');
  });

  it('refuses an accessor it cannot read', () => {
    expect(() => compileTagTemplate("a.$k['x")).toThrow(/cannot read the record accessor/);
  });
});
