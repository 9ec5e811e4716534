import type { ByteWriter } from '../../codec/byte-writer.js';
import type { EventData } from '../../engine/event-data.js';
import { getPath } from '../../record/accessor.js';
import type { ShapeOptions } from './config.js';

/**
 * One record's data as the Kinesis-family outputs send it, written into a ByteWriter:
 * the record's JSON (or only `log_key`'s value; or only `data_keys`), `time_key` added, dots in
 * key names replaced, a newline at the end. The usual case copies the record's bytes as they are
 * (the time key spliced in before the closing brace); a record is decoded only when an option
 * needs its fields.
 */
export type ShapeResult = 'ok' | 'missing' | 'empty' | 'unencodable';

const CLOSE = 0x7d;
const NL = 0x0a;
const DOT = 0x2e;

function replaceDotsIn(v: unknown, with_: string): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k.replaceAll('.', with_)] = replaceDotsIn(x, with_);
  return out;
}

export class RecordShaper {
  /** `,"<time_key>":"` and `"<time_key>":` for splicing / spotting. */
  private readonly timeHead?: Buffer;
  private readonly timeProbe?: Buffer;
  private readonly fast: boolean;

  constructor(private readonly o: ShapeOptions) {
    if (o.timeKey !== undefined) {
      this.timeHead = Buffer.from(`${JSON.stringify(o.timeKey)}:"`);
      this.timeProbe = Buffer.from(`${JSON.stringify(o.timeKey)}:`);
    }
    this.fast = o.logKey === undefined && o.dataKeys === undefined;
  }

  /** Does every record go as the chunk holds it (and a newline if configured)? */
  get passesThrough(): boolean {
    return this.fast && this.o.timeKey === undefined && this.o.replaceDots === undefined;
  }

  /** Write event i's data; on anything but 'ok' nothing is written. */
  write(w: ByteWriter, data: EventData, i: number): ShapeResult {
    const o = this.o;
    const start = data.starts[i]!;
    const end = data.starts[i + 1]!;
    const buf = data.buf;
    if (this.fast && (o.replaceDots === undefined || buf.indexOf(DOT, start) === -1 || buf.indexOf(DOT, start) >= end)
      && (this.timeProbe === undefined || !contains(buf, start, end, this.timeProbe))) {
      if (end - start <= 2) return 'empty';
      if (this.timeHead === undefined) {
        w.bytesOf(buf, start, end);
      } else {
        w.bytesOf(buf, start, end - 1);
        w.byte(0x2c);
        w.bytes(this.timeHead);
        w.text(o.timeFormat!(data.times[i]!));
        w.byte(0x22);
        w.byte(CLOSE);
      }
      if (o.newline) w.byte(NL);
      return 'ok';
    }
    return this.slow(w, data, i);
  }

  private slow(w: ByteWriter, data: EventData, i: number): ShapeResult {
    const o = this.o;
    let text: string;
    try {
      let rec = data.record(i);
      if (o.logKey !== undefined) {
        const v = o.logKey.length === 1 ? rec[o.logKey[0] as string] : getPath(rec, o.logKey);
        if (v === undefined || v === null) return 'missing';
        text = typeof v === 'string' ? v : JSON.stringify(o.replaceDots === undefined ? v : replaceDotsIn(v, o.replaceDots));
        if (text.length === 0) return 'empty';
      } else {
        if (o.dataKeys !== undefined) {
          const kept: Record<string, unknown> = {};
          for (const k of Object.keys(rec)) if (o.dataKeys.has(k)) kept[k] = rec[k];
          rec = kept;
        }
        if (o.replaceDots !== undefined) rec = replaceDotsIn(rec, o.replaceDots) as Record<string, unknown>;
        if (Object.keys(rec).length === 0) return 'empty';
        if (o.timeKey !== undefined) rec[o.timeKey] = o.timeFormat!(data.times[i]!);
        text = JSON.stringify(rec);
      }
    } catch {
      return 'unencodable';
    }
    w.text(text);
    if (o.newline) w.byte(NL);
    return 'ok';
  }
}

function contains(buf: Buffer, start: number, end: number, needle: Buffer): boolean {
  const p = buf.indexOf(needle, start);
  return p !== -1 && p < end;
}
