import type { LogEvent } from '../../engine/types.js';
import type { CompiledRule, MultilineParser } from './compile.js';
import { MULTILINE_BUFFER_LIMIT } from './spec.js';
import { getField, hasField, setField } from '../../record/fields.js';

/**
 * Receives the records a stream lets go, in order: a joined record with the tokens of every
 * event it was made of, or an event passed through unchanged (`tokens` null: the caller knows
 * the token of the event it just pushed).
 */
export type MultilineSink<T> = (event: LogEvent, tokens: readonly T[] | null) => void;

export interface JoinerOptions {
  /** The record field holding the text (a parser's own key_content wins). */
  key: string;
  /** Called when a record reached the buffer limit and was cut there (nothing is lost: the rest starts a new record). */
  onTruncated?: () => void;
}

interface Group<T> {
  parser: MultilineParser;
  /** type regex: the rule the last line matched. */
  rule: CompiledRule | null;
  /** The first line's event: its record and time make the joined record. */
  first: LogEvent;
  /** Field of `first.record` that receives the joined text. */
  key: string;
  parts: string[];
  size: number;
  tokens: T[];
  lastAt: number;
}

/**
 * One stream of lines (a file, or a file's stdout; a tag in the filter) run through multiline
 * parsers, Fluent Bit's way: a line matching a parser's start rule opens a record; following lines
 * that match a rule allowed from the current state are appended (joined with a newline); a line
 * that matches neither emits the open record and passes on by itself. A record is also emitted
 * when its rule leads back to the start state, when it reaches the buffer limit, and (`flushIdle`)
 * after the parser's flush_timeout without a new line. The parsers are tried in the order given,
 * the one holding the open record first.
 */
export class MultilineStream<T> {
  private open: Group<T> | null = null;
  /** After a timeout flush: the rule the emitted record had reached, so its next lines still join (into a new record). */
  private resume: { parser: MultilineParser; rule: CompiledRule } | null = null;
  // what `take` found, without allocating a result object per line
  private takenRecord: Record<string, unknown> | null = null;
  private takenTime = 0;
  private takenKey = '';

  constructor(
    private readonly parsers: readonly MultilineParser[],
    private readonly opts: JoinerOptions,
    private readonly sink: MultilineSink<T>,
  ) {}

  /** The token of the first line of the open record (its file offset, for the tail input); undefined when none is open. */
  get heldToken(): T | undefined {
    return this.open === null ? undefined : this.open.tokens[0];
  }

  /** The token of the last line of the open record; undefined when none is open. */
  get lastToken(): T | undefined {
    return this.open === null ? undefined : this.open.tokens[this.open.tokens.length - 1];
  }

  get holding(): boolean {
    return this.open !== null;
  }

  push(event: LogEvent, token: T, now: number): void {
    const open = this.open;
    if (open !== null) {
      const text = this.take(open.parser, event);
      if (text !== null && this.continues(open, text, token, now)) return;
    } else if (this.resume !== null) {
      const { parser, rule } = this.resume;
      this.resume = null;
      const text = this.take(parser, event);
      if (text !== null) {
        const next = matchNext(rule, text);
        if (next !== null) {
          this.begin(parser, next, event, text, token, now);
          return;
        }
      }
    }
    if (open !== null && this.tryStart(open.parser, event, token, now)) return;
    for (const p of this.parsers) {
      if (open !== null && p === open.parser) continue;
      if (this.tryStart(p, event, token, now)) return;
    }
    this.flush();
    this.sink(event, null);
  }

  /** Emit the open record if its parser's flush_timeout (or `idleMs`) passed since its last line. */
  flushIdle(now: number, idleMs?: number): boolean {
    const open = this.open;
    if (open === null || now - open.lastAt < (idleMs ?? open.parser.flushMs)) return false;
    const rule = open.rule;
    this.flush();
    if (rule !== null && rule.next.length > 0) this.resume = { parser: open.parser, rule };
    return true;
  }

  /** Emit the open record now. */
  flush(): void {
    const g = this.open;
    this.resume = null;
    if (g === null) return;
    this.open = null;
    if (g.parts.length > 1) setField(g.first.record, g.key, g.parts.join(g.parser.type === 'regex' || g.parser.keyContent === undefined ? '\n' : ''));
    this.sink(g.first, g.tokens);
  }

  /** The event's text for `parser` (after its `parser`, if any), with takenRecord/Time/Key set; null when it has none. */
  private take(parser: MultilineParser, event: LogEvent): string | null {
    const raw = event.record[this.opts.key];
    if (typeof raw !== 'string') return null;
    if (parser.parser === undefined) {
      this.takenRecord = event.record;
      this.takenTime = event.time;
      this.takenKey = this.opts.key;
      return raw;
    }
    const parsed = parser.parser.parse(raw);
    if (parsed === null) return null;
    const key = parser.keyContent ?? this.opts.key;
    const text = getField(parsed.record, key);
    if (typeof text !== 'string') return null;
    const rec = parsed.record;
    for (const k in event.record) if (k !== this.opts.key && !hasField(rec, k)) setField(rec, k, event.record[k]);
    this.takenRecord = rec;
    this.takenTime = parsed.time ?? event.time;
    this.takenKey = key;
    return text;
  }

  private continues(g: Group<T>, text: string, token: T, now: number): boolean {
    if (g.parser.type !== 'regex') {
      if (g.parser.type === 'endswith' && text.length < g.parser.matchString.length) return false;
      this.append(g, text, token, now);
      if (this.open === g && endsRecord(g.parser, text)) this.flush();
      return true;
    }
    const next = matchNext(g.rule!, text);
    if (next === null) return false;
    this.append(g, text, token, now);
    if (this.open === g) {
      g.rule = next;
      if (next.completes) this.flush();
    }
    return true;
  }

  private tryStart(parser: MultilineParser, event: LogEvent, token: T, now: number): boolean {
    const text = this.take(parser, event);
    if (text === null) return false;
    if (parser.type !== 'regex') {
      if (parser.type === 'endswith' && text.length < parser.matchString.length) return false;
      this.flush();
      this.begin(parser, null, event, text, token, now);
      if (endsRecord(parser, text)) this.flush();
      return true;
    }
    for (const r of parser.starts) {
      if (!r.regex.test(text)) continue;
      this.flush();
      this.begin(parser, r, event, text, token, now);
      if (r.completes) this.flush();
      return true;
    }
    return false;
  }

  private begin(parser: MultilineParser, rule: CompiledRule | null, event: LogEvent, text: string, token: T, now: number): void {
    const rec = this.takenRecord!;
    const first = rec === event.record && this.takenTime === event.time ? event : { time: this.takenTime, record: rec };
    this.open = { parser, rule, first, key: this.takenKey, parts: [text], size: text.length, tokens: [token], lastAt: now };
  }

  private append(g: Group<T>, text: string, token: T, now: number): void {
    if (g.size + text.length + 1 > MULTILINE_BUFFER_LIMIT) {
      // Too long to keep joining: emit what we have; this line goes on by itself.
      this.opts.onTruncated?.();
      this.flush();
      const e = this.takenRecord === null ? null : { time: this.takenTime, record: this.takenRecord };
      if (e !== null) this.sink(e, [token]);
      return;
    }
    g.parts.push(text);
    g.size += text.length + 1;
    if (g.tokens[g.tokens.length - 1] !== token) g.tokens.push(token);
    g.lastAt = now;
  }
}

function matchNext(rule: CompiledRule, text: string): CompiledRule | null {
  const next = rule.next;
  for (let i = 0; i < next.length; i++) if (next[i]!.regex.test(text)) return next[i]!;
  return null;
}

/** type endswith / equal: whether this line ends the record (negate turns it around). */
function endsRecord(p: MultilineParser, text: string): boolean {
  const hit = p.type === 'endswith' ? text.endsWith(p.matchString) : text === p.matchString;
  return hit !== p.negate;
}
