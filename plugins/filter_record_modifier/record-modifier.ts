import { randomUUID } from 'node:crypto';
import { splitTokens } from '../../src/config/slist.js';
import type { RawEntry } from '../../src/config/types.js';
import type { FilterInstance, LogEvent, PluginContext } from '../../src/engine/types.js';
import { ConfigError } from '../../src/errors.js';
import { hasField, setField } from '../../src/record/fields.js';

type Rec = Record<string, unknown>;

/** A remove_key / allowlist_key pattern: case-insensitive, `prefix*` matches a prefix. */
interface KeyPattern {
  lower: string;
  prefix: boolean;
}

const DECISION_CACHE_MAX = 4096;

function texts(e: RawEntry): string[] {
  return Array.isArray(e.value) ? (e.value as string[]) : [String(e.value)];
}

/**
 * As Fluent Bit's record_modifier, per record: first remove_key / allowlist_key on the record's
 * own keys, then the `record` fields appended in the order written, then `uuid_key`. A record
 * left with no keys at all is dropped, as Fluent Bit drops it.
 */
export class RecordModifierFilter implements FilterInstance {
  private readonly appendKeys: string[] = [];
  private readonly appendValues: string[] = [];
  private readonly patterns: KeyPattern[] = [];
  /** true: patterns list keys to remove; false: keys to keep. */
  private removeMode = true;
  private readonly uuidKey?: string;
  /** key → drop it? (records repeat their keys, so matching is a lookup) */
  private readonly decisions = new Map<string, boolean>();

  constructor(ctx: PluginContext) {
    const o = ctx.options;
    let removes = 0;
    let allows = 0;
    for (const entry of o.entries) {
      if (entry.key === 'record') {
        for (const t of texts(entry)) {
          const parts = splitTokens(t, 2);
          if (parts.length !== 2 || parts[0] === '') {
            throw new ConfigError(`filter '${ctx.id}': 'record' expects KEY VALUE, got '${t}'`, entry.pos,
              { hint: parts.length > 2 ? 'quote a value with spaces: record: KEY "some value"' : 'write it as record: KEY VALUE' });
          }
          this.appendKeys.push(parts[0]!);
          this.appendValues.push(parts[1]!);
        }
      } else if (entry.key === 'remove_key' || entry.key === 'allowlist_key' || entry.key === 'whitelist_key') {
        for (const raw of texts(entry)) {
          const t = raw.trim();
          if (t === '') throw new ConfigError(`filter '${ctx.id}': '${entry.key}' needs a key name (or a prefix*)`, entry.pos);
          const prefix = t.endsWith('*');
          this.patterns.push({ lower: (prefix ? t.slice(0, -1) : t).toLowerCase(), prefix });
          if (entry.key === 'remove_key') removes++;
          else allows++;
        }
      }
    }
    if (removes > 0 && allows > 0) {
      throw new ConfigError(`filter '${ctx.id}': remove_key and allowlist_key (whitelist_key) cannot be used together`, o.pos('allowlist_key') ?? o.pos('whitelist_key'),
        { hint: 'keep one of them, or use two record_modifier filters' });
    }
    this.removeMode = allows === 0;
    this.uuidKey = o.optStr('uuid_key') || undefined;
  }

  private drops(key: string): boolean {
    let d = this.decisions.get(key);
    if (d !== undefined) return d;
    const lower = key.toLowerCase();
    let hit = false;
    for (const p of this.patterns) {
      if (p.prefix ? lower.startsWith(p.lower) : lower === p.lower) {
        hit = true;
        break;
      }
    }
    d = hit === this.removeMode;
    if (this.decisions.size >= DECISION_CACHE_MAX) this.decisions.clear();
    this.decisions.set(key, d);
    return d;
  }

  /** The record without the keys to drop: the same object when nothing goes, else a new one. */
  private prune(r: Rec): Rec {
    let any = false;
    for (const k in r) {
      if (this.drops(k)) {
        any = true;
        break;
      }
    }
    if (!any) return r;
    const out: Rec = {};
    for (const k in r) if (!this.drops(k)) setField(out, k, r[k]);
    return out;
  }

  filter(events: LogEvent[]): LogEvent[] {
    const keys = this.appendKeys;
    const values = this.appendValues;
    const nAppend = keys.length;
    const prune = this.patterns.length > 0;
    const uuidKey = this.uuidKey;
    let w = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      let r = e.record;
      if (prune) {
        r = this.prune(r);
        e.record = r;
      }
      for (let k = 0; k < nAppend; k++) {
        const key = keys[k]!;
        if (hasField(r, key)) delete r[key];
        setField(r, key, values[k]);
      }
      if (uuidKey !== undefined) {
        if (hasField(r, uuidKey)) delete r[uuidKey];
        setField(r, uuidKey, randomUUID());
      } else if (nAppend === 0 && isEmpty(r)) {
        continue;
      }
      events[w++] = e;
    }
    events.length = w;
    return events;
  }
}

function isEmpty(r: Rec): boolean {
  for (const _ in r) return false;
  return true;
}
