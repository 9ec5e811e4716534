import type { LogEvent } from '../../src/engine/types.js';
import { MULTILINE_BUFFER_LIMIT } from '../../src/parsers/multiline/spec.js';
import type { BatchRef } from './relay.js';
import { setField } from '../../src/record/fields.js';

interface Pending {
  tag: string;
  /** The first part's record without the partial_* fields (the text field is set when complete). */
  first: LogEvent;
  parts: string[];
  size: number;
  tokens: BatchRef[];
  lastAt: number;
}

/**
 * Mode partial_message: Docker splits lines over 16 KiB into parts and, through its fluentd log
 * driver, marks them `partial_message: "true"`, `partial_id`, `partial_ordinal`, `partial_last`.
 * Parts with the same tag and partial_id are joined (their `multiline.key_content` text
 * concatenated) into the first part's record without the partial_* fields, emitted at the part with
 * `partial_last: "true"`, or after `flush_ms` without a part. Other records pass unchanged.
 */
export class PartialMessages {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly key: string,
    private readonly sink: (event: LogEvent, tokens: readonly BatchRef[] | null) => void,
    private readonly onTruncated: () => void,
  ) {}

  /** Take a batch; returns how many messages are still open with parts from it (the batch stays held for each). */
  push(events: LogEvent[], tag: string, ref: BatchRef, now: number): number {
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      const rec = ev.record;
      const id = rec.partial_id;
      const text = rec[this.key];
      if (!isTrue(rec.partial_message) || (typeof id !== 'string' && typeof id !== 'number') || typeof text !== 'string') {
        this.sink(ev, null);
        continue;
      }
      const k = `${tag}\0${id}`;
      let p = this.pending.get(k);
      if (p !== undefined && p.size + text.length > MULTILINE_BUFFER_LIMIT) {
        this.onTruncated();
        this.complete(k, p);
        p = undefined;
      }
      if (p === undefined) {
        p = { tag, first: { time: ev.time, record: this.strip(rec) }, parts: [], size: 0, tokens: [], lastAt: now };
        this.pending.set(k, p);
      }
      p.parts.push(text);
      p.size += text.length;
      if (p.tokens[p.tokens.length - 1] !== ref) p.tokens.push(ref);
      p.lastAt = now;
      if (isTrue(rec.partial_last)) this.complete(k, p);
    }
    let open = 0;
    for (const p of this.pending.values()) if (p.tokens[p.tokens.length - 1] === ref) open++;
    return open;
  }

  /** Emit messages whose last part came `idleMs` or longer before `now` (all with now = Infinity); `send(tag)` after each. */
  flushIdle(now: number, idleMs: number, send: (tag: string) => void): void {
    for (const [k, p] of this.pending) {
      if (now - p.lastAt < idleMs) continue;
      this.complete(k, p);
      send(p.tag);
    }
  }

  private complete(k: string, p: Pending): void {
    this.pending.delete(k);
    setField(p.first.record, this.key, p.parts.length === 1 ? p.parts[0]! : p.parts.join(''));
    this.sink(p.first, p.tokens);
  }

  /** A copy without the partial_* fields and the text (which goes last, as in Fluent Bit). */
  private strip(rec: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k in rec) if (k !== this.key && !k.startsWith('partial_')) setField(out, k, rec[k]);
    return out;
  }
}

/** Docker's fluentd driver sends "true" / "false" as text; a boolean is taken too. */
function isTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.length >= 4 && v.slice(0, 4).toLowerCase() === 'true');
}
