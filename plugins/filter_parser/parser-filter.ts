import type { PluginOptions } from '../../src/config/types.js';
import type { FilterInstance, LogEvent, PluginContext } from '../../src/engine/types.js';
import { ConfigError } from '../../src/errors.js';
import type { Parser } from '../../src/parsers/types.js';
import { compileAccessor, getPath } from '../../src/record/accessor.js';

function parserNames(o: PluginOptions): string[] {
  const v = o.raw('parser');
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.map(String) : [];
}

/**
 * `parser` filter (Fluent Bit's): parse the text of `key_name` with the first of its `parser`s that
 * matches. The parsed fields replace the record (kept: every other field with `reserve_data`, the
 * parsed key with `preserve_key`; parsed fields win a name clash), under `nest_under` if set, and a
 * parsed time replaces the event time. A record whose key is missing, not text, or matches no
 * parser passes unchanged.
 */
export function createParserFilter(ctx: PluginContext): FilterInstance {
  const o = ctx.options;
  const keyName = o.str('key_name');
  const path = compileAccessor(keyName);
  if (!path) {
    throw new ConfigError(`filter parser: key_name '${keyName}' is not a field name or record accessor`, o.pos('key_name'),
      { hint: "write a field name such as log, or an accessor such as $kubernetes['labels']['app']" });
  }
  const parsers: Parser[] = [];
  for (const name of parserNames(o)) {
    const p = ctx.parsers.get(name);
    if (!p) {
      throw new ConfigError(`filter parser: parser '${name}' is not defined`, o.pos('parser'),
        { hint: `define it under parsers:, or use one of ${ctx.parsers.names().join(', ')}` });
    }
    parsers.push(p);
  }
  if (parsers.length === 0) {
    throw new ConfigError('filter parser: no parser given', o.sectionPos, { hint: 'add parser: <name>' });
  }
  const reserve = o.bool('reserve_data');
  const preserve = o.bool('preserve_key');
  const nestUnder = o.optStr('nest_under') || undefined;
  const topKey = path.length === 1 && typeof path[0] === 'string' ? path[0] : undefined;
  const nParsers = parsers.length;

  return {
    filter(events: LogEvent[]): LogEvent[] {
      for (let i = 0; i < events.length; i++) {
        const ev = events[i]!;
        const rec = ev.record;
        const v = topKey !== undefined ? rec[topKey] : getPath(rec, path);
        if (typeof v !== 'string') continue;
        let res = null;
        for (let p = 0; p < nParsers && res === null; p++) res = parsers[p]!.parse(v);
        if (res === null) continue;
        let out = res.record;
        if (nestUnder !== undefined) out = { [nestUnder]: out };
        if (reserve) {
          for (const k in rec) {
            if (k === topKey && !preserve) continue;
            if (!(k in out)) out[k] = rec[k];
          }
        } else if (preserve && topKey !== undefined && !(topKey in out)) {
          out[topKey] = v;
        }
        ev.record = out;
        if (res.time !== undefined) ev.time = res.time;
      }
      return events;
    },
  };
}
