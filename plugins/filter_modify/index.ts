import type { OptionSpec } from '../../src/config/types.js';
import { ConfigError } from '../../src/errors.js';
import type { FilterDefinition, FilterInstance, LogEvent, PluginContext } from '../../src/engine/types.js';
import { compileCondition, compileRule, CONDITION_KEYS, RULE_KEYS, type Rec } from './rules.js';

const RULE_DOCS: Record<(typeof RULE_KEYS)[number], string> = {
  set: 'KEY VALUE: set KEY to VALUE, replacing it if present.',
  add: 'KEY VALUE: add KEY with VALUE if KEY is not present.',
  remove: 'KEY: remove KEY.',
  remove_wildcard: 'PATTERN: remove keys matching a wildcard (Mem.* or a prefix).',
  remove_regex: 'REGEX: remove keys matching a regular expression.',
  rename: 'KEY NEW: rename KEY to NEW if NEW is not present.',
  hard_rename: 'KEY NEW: rename KEY to NEW, replacing NEW.',
  copy: 'KEY NEW: copy KEY to NEW if NEW is not present.',
  hard_copy: 'KEY NEW: copy KEY to NEW, replacing NEW.',
  move_to_start: 'PATTERN: move matching keys to the start of the record.',
  move_to_end: 'PATTERN: move matching keys to the end of the record.',
};

const options: OptionSpec[] = [
  ...RULE_KEYS.map((k): OptionSpec => ({ key: k, type: 'multi', desc: RULE_DOCS[k] + ' Repeatable.' })),
  {
    key: 'condition',
    type: 'multi',
    desc: `CONDITION ARGS: apply the rules only when every condition holds; one of ${CONDITION_KEYS.join(', ')} (e.g. key_value_equals level error).`,
  },
];

/** Changes record fields: set, add, remove, rename, copy, in the order written. */
export const modifyFilter: FilterDefinition = {
  kind: 'filter',
  name: 'modify',
  description: 'Sets, adds, removes, renames and copies top-level record fields, optionally under conditions.',
  options,
  create: (ctx) => new ModifyFilter(ctx),
};

class ModifyFilter implements FilterInstance {
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
