import type { RawEntry } from '../../src/config/types.js';
import type { FilterContext, FilterEmitter, FilterInstance, LogEvent, PluginMetrics } from '../../src/engine/types.js';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { getPath } from '../../src/record/accessor.js';
import { compileRule, type RewriteRule } from './rules.js';
import { setField } from '../../src/record/fields.js';

function texts(e: RawEntry): string[] {
  return Array.isArray(e.value) ? (e.value as string[]) : [String(e.value)];
}

/** A copy of a record for the kept original: maps and arrays copied, other values shared. */
function cloneValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneValue);
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const k in v) setField(out, k, cloneValue((v as Record<string, unknown>)[k]));
  return out;
}

/**
 * As Fluent Bit's rewrite_tag: for each record the rules are tried in order; the first whose key
 * holds a string matching its regex re-emits the record under the rendered tag through this
 * filter's emitter (which runs it through the pipeline again from the top, skipping this filter),
 * and the original stays in the batch only when the rule says KEEP. Records no rule matches pass
 * on unchanged.
 */
export class RewriteTagFilter implements FilterInstance {
  private readonly rules: RewriteRule[] = [];
  private readonly emitter: FilterEmitter;
  private readonly log: Logger;
  private readonly metrics: PluginMetrics;
  private warnedEmpty = false;

  constructor(ctx: FilterContext) {
    const o = ctx.options;
    for (const entry of o.entries) {
      if (entry.key !== 'rule') continue;
      for (const t of texts(entry)) this.rules.push(compileRule(ctx.id, t, entry.pos));
    }
    if (!ctx.createEmitter) throw new ConfigError(`filter '${ctx.id}': rewrite_tag needs the pipeline's emitter`, o.sectionPos);
    this.emitter = ctx.createEmitter({
      name: o.optStr('emitter_name') || `emitter_for_${ctx.id}`,
      memBufLimit: o.optNum('emitter_mem_buf_limit') ?? 10 * 1024 * 1024,
    });
    this.log = ctx.log;
    this.metrics = ctx.metrics;
  }

  filter(events: LogEvent[], tag: string): LogEvent[] {
    const rules = this.rules;
    let groups: Map<string, LogEvent[]> | undefined;
    let emitted = 0;
    let w = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const r = e.record;
      let hit: RewriteRule | undefined;
      let captures: RegExpExecArray | null = null;
      for (let k = 0; k < rules.length; k++) {
        const rule = rules[k]!;
        const v = rule.key.length === 1 ? r[rule.key[0] as string] : getPath(r, rule.key);
        if (typeof v !== 'string') continue;
        if (rule.tag.usesCaptures) {
          captures = rule.regex.exec(v);
          if (captures === null) continue;
        } else if (!rule.regex.test(v)) continue;
        hit = rule;
        break;
      }
      if (hit === undefined) {
        events[w++] = e;
        continue;
      }
      const newTag = hit.tag.render(r, tag, captures);
      if (newTag === '' && !this.warnedEmpty) {
        this.warnedEmpty = true;
        this.log.warn({ rule: hit.text }, 'a rule composed an empty tag (its fields are missing from the record); the record is emitted with it, as Fluent Bit does (logged once)');
      }
      groups ??= new Map();
      let g = groups.get(newTag);
      if (!g) groups.set(newTag, (g = []));
      if (hit.keep) {
        g.push({ time: e.time, record: cloneValue(r) as Record<string, unknown> });
        events[w++] = e;
      } else {
        g.push(e);
      }
      emitted++;
    }
    events.length = w;
    if (groups) {
      for (const [t, g] of groups) this.emitter.emit(g, t);
      this.metrics.add('emit_records', emitted);
    }
    return events;
  }
}
