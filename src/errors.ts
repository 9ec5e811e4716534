/**
 * Errors a user can meet. Each prints as one line: what went wrong, where, and the fix.
 * `cause` keeps the underlying error for debug logs; it is never printed as a stack trace.
 */
export class WrenError extends Error {
  /** A short machine-readable code, e.g. 'config', 'credentials', 'network'. */
  readonly code: string;
  /** What the user should do about it, appended to the message when printed. */
  readonly hint?: string;

  constructor(code: string, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WrenError';
    this.code = code;
    this.hint = opts.hint;
  }

  /** The one line a user sees. */
  toLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/** A position in a configuration file, 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
  /** For a file read through includes: where it was included from, nearest first (`main.conf:12`). */
  includedFrom?: readonly string[];
  /** Set when the setting came from a command-line flag (`-p rate=fast`): errors name the flag instead. */
  arg?: string;
}

/** Where a setting was made, as errors print it: `FILE:LINE:COL` or `command line (-p rate=fast)`. */
export function formatPos(p: SourcePos): string {
  return p.arg !== undefined ? `command line (${p.arg})` : `${p.file}:${p.line}:${p.col}`;
}

export class ConfigError extends WrenError {
  readonly pos?: SourcePos;

  constructor(message: string, pos?: SourcePos, opts: { hint?: string; cause?: unknown } = {}) {
    super('config', message, opts);
    this.name = 'ConfigError';
    this.pos = pos;
  }

  override toLine(): string {
    const where = this.pos ? `${formatPos(this.pos)}: ` : '';
    const via = this.pos?.includedFrom?.length ? ` [included from ${this.pos.includedFrom.join(', from ')}]` : '';
    return where + super.toLine() + via;
  }
}

/** One line for any thrown value: a WrenError's own line, else the message; never a stack. */
export function errorLine(err: unknown): string {
  if (err instanceof WrenError) return err.toLine();
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return (code && !err.message.includes(code) ? `${code}: ` : '') + err.message + cause;
  }
  return String(err);
}

/** Several configuration errors found at once (e.g. by plugins checking their options). */
export class ConfigErrorList extends WrenError {
  readonly errors: ConfigError[];

  constructor(errors: ConfigError[]) {
    super('config', errors.map((e) => e.toLine()).join('\n'));
    this.name = 'ConfigErrorList';
    this.errors = errors;
  }

  override toLine(): string {
    return this.message;
  }
}
