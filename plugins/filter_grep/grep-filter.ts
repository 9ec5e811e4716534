import { ConfigError } from '../../src/errors.js';
import type { FilterInstance, LogEvent, PluginContext } from '../../src/engine/types.js';
import { compileOnigRegex } from '../../src/parsers/onig-regex.js';
import { compileAccessor, getPath, valueToString, type Path } from '../../src/record/accessor.js';

interface Rule {
  exclude: boolean;
  path: Path;
  re: RegExp;
}

export class GrepFilter implements FilterInstance {
  private readonly rules: Rule[] = [];
  private readonly op: string;

  constructor(ctx: PluginContext) {
    const o = ctx.options;
    // rules in the order written
    for (const entry of o.entries) {
      if (entry.key !== 'regex' && entry.key !== 'exclude') continue;
      const texts = Array.isArray(entry.value) ? (entry.value as string[]) : [String(entry.value)];
      for (const text of texts) this.rules.push(parseRule(ctx.id, entry.key === 'exclude', text, entry.pos));
    }
    this.op = o.str('logical_op').toLowerCase();
    if (this.op !== 'legacy' && this.rules.some((r) => r.exclude !== this.rules[0]!.exclude)) {
      throw new ConfigError(`filter '${ctx.id}': logical_op ${this.op} cannot mix 'regex' and 'exclude' rules`, o.pos('logical_op'), { hint: 'use one kind of rule, or logical_op legacy' });
    }
  }

  filter(events: LogEvent[]): LogEvent[] {
    if (this.rules.length === 0) return events;
    let w = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (this.keep(e.record)) events[w++] = e;
    }
    events.length = w;
    return events;
  }

  private matches(rule: Rule, record: Record<string, unknown>): boolean {
    const v = valueToString(getPath(record, rule.path));
    return v !== undefined && rule.re.test(v);
  }

  private keep(record: Record<string, unknown>): boolean {
    const rules = this.rules;
    if (this.op === 'legacy') {
      for (const r of rules) if (this.matches(r, record) === r.exclude) return false;
      return true;
    }
    const exclude = rules[0]!.exclude;
    let hit: boolean;
    if (this.op === 'and') {
      hit = true;
      for (const r of rules) if (!this.matches(r, record)) { hit = false; break; }
    } else {
      hit = false;
      for (const r of rules) if (this.matches(r, record)) { hit = true; break; }
    }
    return exclude ? !hit : hit;
  }
}

function parseRule(id: string, exclude: boolean, text: string, pos: ConfigError['pos']): Rule {
  const t = text.trim();
  const sp = t.search(/\s/);
  const kind = exclude ? 'exclude' : 'regex';
  if (sp < 0) throw new ConfigError(`filter '${id}': '${kind} ${t}' needs a key and a regular expression`, pos, { hint: `write it as '${kind}: KEY REGEX'` });
  const key = t.slice(0, sp);
  const pattern = t.slice(sp).trim();
  const path = compileAccessor(key);
  if (!path) throw new ConfigError(`filter '${id}': '${key}' is not a valid key or record accessor`, pos);
  try {
    return { exclude, path, re: compileOnigRegex(pattern).regex };
  } catch (err) {
    throw new ConfigError(`filter '${id}': invalid regular expression '${pattern}': ${(err as Error).message}`, pos, { cause: err });
  }
}
