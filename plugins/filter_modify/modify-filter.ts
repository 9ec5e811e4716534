import { ConfigError } from '../../src/errors.js';
import type { FilterInstance, LogEvent, PluginContext } from '../../src/engine/types.js';
import { CONDITION_KEYS, RULE_KEYS } from './config.js';
import { compileCondition, compileRule, type Rec } from './rules.js';

export class ModifyFilter implements FilterInstance {
  private readonly rules: ((r: Rec) => void)[] = [];
  private readonly conditions: ((r: Rec) => boolean)[] = [];

  constructor(ctx: PluginContext) {
    for (const entry of ctx.options.entries) {
      const texts = Array.isArray(entry.value) ? (entry.value as string[]) : [String(entry.value)];
      if (entry.key === 'condition') {
        for (const t of texts) {
          const s = t.trim();
          const sp = s.search(/\s/);
          const op = (sp < 0 ? s : s.slice(0, sp)).toLowerCase();
          if (!(CONDITION_KEYS as readonly string[]).includes(op)) {
            throw new ConfigError(`filter '${ctx.id}': unknown condition '${op}'`, entry.pos, { hint: `one of ${CONDITION_KEYS.join(', ')}` });
          }
          this.conditions.push(compileCondition(ctx.id, op, sp < 0 ? '' : s.slice(sp), entry.pos));
        }
      } else if ((RULE_KEYS as readonly string[]).includes(entry.key)) {
        for (const t of texts) this.rules.push(compileRule(ctx.id, entry.key, t, entry.pos));
      }
    }
  }

  filter(events: LogEvent[]): LogEvent[] {
    const rules = this.rules;
    const conds = this.conditions;
    outer: for (let i = 0; i < events.length; i++) {
      const r = events[i]!.record;
      for (let c = 0; c < conds.length; c++) if (!conds[c]!(r)) continue outer;
      for (let k = 0; k < rules.length; k++) rules[k]!(r);
    }
    return events;
  }
}
