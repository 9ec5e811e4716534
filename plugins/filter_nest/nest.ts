import type { FilterInstance, LogEvent, PluginContext } from '../../src/engine/types.js';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { hasField, setField } from '../../src/record/fields.js';

type Rec = Record<string, unknown>;

const CACHE_MAX = 4096;

/** A map value that can be lifted: a plain object (not an array, bytes or a date). */
function isMap(v: unknown): v is Rec {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * As Fluent Bit's nest filter. nest: the record's other keys keep their order and the new map
 * comes last, holding the matching keys in their order. lift: the other keys keep their order and
 * the lifted keys come last (replacing top-level keys of the same name). A record with nothing to
 * nest or lift is passed on as it was.
 */
export class NestFilter implements FilterInstance {
  private readonly lift: boolean;
  private readonly key: string;
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];
  private readonly rename: (k: string) => string;
  private readonly matches = new Map<string, boolean>();
  private readonly log: Logger;
  private warnedNotMap = false;

  constructor(ctx: PluginContext) {
    const o = ctx.options;
    const id = `filter '${ctx.id}'`;
    this.log = ctx.log;
    this.lift = o.str('operation') === 'lift';
    const keyName = this.lift ? 'nested_under' : 'nest_under';
    const key = o.optStr(keyName);
    if (!key) {
      throw new ConfigError(`${id}: operation ${this.lift ? 'lift' : 'nest'} needs '${keyName}'`, o.pos(keyName) ?? o.pos('operation'),
        { hint: this.lift ? 'name the key whose map to lift: nested_under: KEY' : 'name the new map: nest_under: KEY' });
    }
    this.key = key;
    if (!this.lift) {
      const wild = o.list('wildcard').map((w) => w.trim()).filter((w) => w !== '');
      if (wild.length === 0) throw new ConfigError(`${id}: operation nest needs 'wildcard'`, o.pos('operation'), { hint: 'list the keys to nest: wildcard: [Mem.*]' });
      for (const w of wild) {
        if (w.endsWith('*')) this.prefixes.push(w.slice(0, -1));
        else this.exact.add(w);
      }
    }
    const add = o.optStr('add_prefix');
    const remove = o.optStr('remove_prefix');
    if (add !== undefined && remove !== undefined) {
      throw new ConfigError(`${id}: add_prefix and remove_prefix cannot be used together`, o.pos('remove_prefix'), { hint: 'keep one of them' });
    }
    for (const [k, v] of [['add_prefix', add], ['remove_prefix', remove]] as const) {
      if (v === '') throw new ConfigError(`${id}: '${k}' is empty`, o.pos(k), { hint: `set a prefix or remove '${k}'` });
    }
    if (add !== undefined) this.rename = (k) => add + k;
    else if (remove !== undefined) this.rename = (k) => (k.startsWith(remove) ? k.slice(remove.length) : k);
    else this.rename = (k) => k;
  }

  private nests(k: string): boolean {
    if (this.exact.has(k)) return true;
    let m = this.matches.get(k);
    if (m !== undefined) return m;
    m = false;
    for (const p of this.prefixes) {
      if (k.startsWith(p)) {
        m = true;
        break;
      }
    }
    if (this.matches.size >= CACHE_MAX) this.matches.clear();
    this.matches.set(k, m);
    return m;
  }

  filter(events: LogEvent[]): LogEvent[] {
    if (this.lift) {
      for (let i = 0; i < events.length; i++) this.liftOne(events[i]!);
    } else {
      for (let i = 0; i < events.length; i++) this.nestOne(events[i]!);
    }
    return events;
  }

  private nestOne(e: LogEvent): void {
    const r = e.record;
    let any = false;
    for (const k in r) {
      if (this.nests(k)) {
        any = true;
        break;
      }
    }
    if (!any) return;
    const out: Rec = {};
    const inner: Rec = {};
    for (const k in r) {
      if (this.nests(k)) setField(inner, this.rename(k), r[k]);
      else if (k !== this.key) setField(out, k, r[k]);
    }
    setField(out, this.key, inner);
    e.record = out;
  }

  private liftOne(e: LogEvent): void {
    const r = e.record;
    if (!hasField(r, this.key)) return;
    const inner = r[this.key];
    if (!isMap(inner)) {
      if (!this.warnedNotMap) {
        this.warnedNotMap = true;
        this.log.warn({ key: this.key }, `the value of '${this.key}' is not a map: it is left as it is (logged once)`);
      }
      return;
    }
    const out: Rec = {};
    for (const k in r) if (k !== this.key) setField(out, k, r[k]);
    for (const k in inner) {
      const name = this.rename(k);
      if (hasField(out, name)) delete out[name];
      setField(out, name, inner[k]);
    }
    e.record = out;
  }
}
