import type { LogEvent } from '../../src/engine/types.js';
import type { ExportSink } from './export-parser.js';

export interface RecordOptions {
  /** Fields kept per entry at most (Fluent Bit's max_fields). */
  maxFields: number;
  stripUnderscores: boolean;
  lowercase: boolean;
  /** The input's tag; with a `*`, it is replaced by the entry's systemd unit. */
  tag: string;
  /** systemd_filter: entries must match these (checked here too: `and` of one field's values cannot be asked of journalctl). */
  match?: (record: EntryView) => boolean;
}

/** An entry's raw fields, for the systemd_filter check: FIELD → values. */
export type EntryView = ReadonlyMap<string, readonly string[]>;

/** One journal entry turned into an event, with its cursor, tag and size in the export stream (for mem_buf_limit). */
export type EntryCallback = (event: LogEvent, cursor: string, tag: string, bytes: number) => void;

const UNKNOWN_UNIT = 'unknown';

/**
 * Builds records from export-format fields as Fluent Bit's systemd input does: every field of the
 * entry (the `__` ones — cursor, timestamps — are not fields), a field given more than once
 * becomes an array of its values, at most `max_fields` fields; `strip_underscores` drops one
 * leading `_`, then `lowercase` lowercases the key. The time is the entry's realtime timestamp
 * (µs kept), the tag's `*` the `_SYSTEMD_UNIT` (or `unknown`).
 */
export class EntryBuilder implements ExportSink {
  private record: Record<string, unknown> = {};
  private fields = 0;
  private cursor = '';
  private usec = NaN;
  private unit: string | undefined;
  private bytes = 0;
  private view: Map<string, string[]> | null = null;
  private readonly star: number;

  constructor(
    private readonly opts: RecordOptions,
    private readonly onEntry: EntryCallback,
  ) {
    this.star = opts.tag.indexOf('*');
  }

  field(buf: Buffer, nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void {
    this.bytes += valueEnd - nameStart + 2;
    if (buf[nameStart] === 0x5f && buf[nameStart + 1] === 0x5f) { // "__"
      const name = buf.toString('latin1', nameStart, nameEnd);
      if (name === '__CURSOR') this.cursor = buf.toString('latin1', valueStart, valueEnd);
      else if (name === '__REALTIME_TIMESTAMP') this.usec = Number(buf.toString('latin1', valueStart, valueEnd));
      return;
    }
    const raw = buf.toString('latin1', nameStart, nameEnd);
    const value = buf.toString('utf8', valueStart, valueEnd);
    if (raw === '_SYSTEMD_UNIT') this.unit = value;
    if (this.opts.match !== undefined) {
      this.view ??= new Map();
      const vs = this.view.get(raw);
      if (vs === undefined) this.view.set(raw, [value]);
      else vs.push(value);
    }
    if (this.fields >= this.opts.maxFields) return;
    let key = raw;
    if (this.opts.stripUnderscores && key.charCodeAt(0) === 0x5f) key = key.slice(1);
    if (this.opts.lowercase) key = key.toLowerCase();
    const rec = this.record;
    const prev = rec[key];
    if (prev === undefined) rec[key] = value;
    else if (Array.isArray(prev)) (prev as string[]).push(value);
    else rec[key] = [prev, value];
    this.fields++;
  }

  entryEnd(): void {
    const record = this.record;
    const keep = this.opts.match === undefined || this.opts.match(this.view ?? new Map());
    if (keep) {
      const time = Number.isFinite(this.usec) ? this.usec / 1000 : Date.now();
      const t = this.opts.tag;
      const tag = this.star < 0 ? t : t.slice(0, this.star) + (this.unit ?? UNKNOWN_UNIT) + t.slice(this.star + 1);
      this.onEntry({ time, record }, this.cursor, tag, this.bytes);
    }
    this.record = {};
    this.fields = 0;
    this.cursor = '';
    this.usec = NaN;
    this.unit = undefined;
    this.bytes = 0;
    this.view?.clear();
  }
}
