/**
 * Line lexer for Fluent Bit's classic configuration format (`fluent-bit.conf`), one file at a time.
 *
 * The grammar, as Fluent Bit's reader (src/config_format/flb_cf_fluentbit.c) applies it:
 * - `[NAME]` at column 1 opens a section; text after the closing `]` is ignored.
 * - `Key Value` lines are indented under their section; the key ends at the first blank, the
 *   value is the rest of the line, trimmed. Nothing in a value is special: `#`, quotes and
 *   backslashes are kept as written (there are no end-of-line comments).
 * - The first indented key line of a file sets its indentation (say four spaces); every later key
 *   line starts with exactly that, or with twice that (Fluent Bit's "group content" depth). Less,
 *   a different mix of tabs and spaces, or another depth is an error, as in Fluent Bit.
 * - `#` lines are comments (at any indentation), blank lines are skipped.
 * - `@INCLUDE path` and `@SET KEY=VALUE` at column 1 (the command name in any case).
 *
 * Wren is a little more forgiving than Fluent Bit where that cannot change a working config's
 * meaning: comment and whitespace-only lines are exempt from the indentation rule, a tab also
 * separates a key from its value, and `Key` with only blanks after it reads as an empty value.
 */

export interface LexBase {
  line: number;
  col: number;
  /** Comment lines (text after `#`) directly above this item, for `wren convert`. */
  comments: string[];
}

export type ClassicItem =
  | (LexBase & { kind: 'section'; name: string })
  | (LexBase & { kind: 'entry'; key: string; value: string; valueCol: number })
  | (LexBase & { kind: 'include'; path: string })
  | (LexBase & { kind: 'set'; name: string; value: string });

export interface LexError {
  message: string;
  line: number;
  col: number;
  hint?: string;
}

export interface LexedFile {
  items: ClassicItem[];
  /** Comments after the last item. */
  trailing: string[];
  errors: LexError[];
}

const BLANK = /[ \t]/;

export function lexClassic(text: string): LexedFile {
  const items: ClassicItem[] = [];
  const errors: LexError[] = [];
  let comments: string[] = [];
  let indent: string | undefined;
  const lines = text.split('\n');
  if (lines.length > 0 && lines[0]!.charCodeAt(0) === 0xfeff) lines[0] = lines[0]!.slice(1);

  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    let line = lines[n]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const body = line.trimStart();
    if (body === '') continue;
    if (body.startsWith('#')) {
      comments.push(body.slice(1).replace(/^ /, '').trimEnd());
      continue;
    }
    const base = (col: number): LexBase => {
      const b = { line: lineNo, col, comments };
      comments = [];
      return b;
    };

    if (line[0] === '[') {
      const end = line.indexOf(']');
      if (end < 0) {
        errors.push({ message: `section header '${line.trim()}' has no closing ']'`, line: lineNo, col: 1, hint: 'write it as [INPUT], [FILTER], [OUTPUT], ...' });
        continue;
      }
      items.push({ ...base(1), kind: 'section', name: line.slice(1, end).trim() });
      continue;
    }

    if (line[0] === '@') {
      const m = /^@([A-Za-z_]+)(?:[ \t]+(.*))?$/.exec(line);
      const cmd = m?.[1]?.toUpperCase();
      const arg = (m?.[2] ?? '').trim();
      if (cmd === 'INCLUDE') {
        if (arg === '') errors.push({ message: '@INCLUDE needs a file name', line: lineNo, col: 1, hint: 'e.g. @INCLUDE inputs.conf or @INCLUDE inputs/*.conf' });
        else items.push({ ...base(1), kind: 'include', path: arg });
      } else if (cmd === 'SET') {
        const eq = arg.indexOf('=');
        const name = eq > 0 ? arg.slice(0, eq).trim() : '';
        if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
          errors.push({ message: `@SET expects KEY=VALUE, got '${arg}'`, line: lineNo, col: 1, hint: 'e.g. @SET CLUSTER=prod, then use ${CLUSTER} in values' });
        } else items.push({ ...base(1), kind: 'set', name, value: arg.slice(eq + 1).trim() });
      } else {
        errors.push({ message: `unknown command '${line.split(/[ \t]/)[0]}'`, line: lineNo, col: 1, hint: 'the classic format has @INCLUDE FILE and @SET KEY=VALUE' });
      }
      continue;
    }

    if (!BLANK.test(line[0]!)) {
      errors.push({ message: `'${body.split(/[ \t]/)[0]}' is not indented, so it belongs to no section`, line: lineNo, col: 1, hint: 'indent keys under their [SECTION] (four spaces, as Fluent Bit expects)' });
      continue;
    }

    const lead = line.slice(0, line.length - body.length);
    if (indent === undefined) indent = lead;
    const bad = checkIndent(lead, indent);
    if (bad) {
      errors.push({ message: bad, line: lineNo, col: 1, hint: `indent every key of this file by the same ${describeIndent(indent)}, as Fluent Bit requires` });
      continue;
    }
    const col = lead.length + 1;
    if (body[0] === '[') {
      errors.push({ message: `'${body}' inside a section: nested groups are not supported by Wren`, line: lineNo, col, hint: 'write the keys directly under the section' });
      continue;
    }
    const sep = body.search(BLANK);
    if (sep < 0) {
      errors.push({ message: `key '${body}' has no value`, line: lineNo, col, hint: `write '${body} VALUE' on one line` });
      continue;
    }
    const rest = body.slice(sep);
    const value = rest.trim();
    const valueCol = value === '' ? col + sep : col + sep + (rest.length - rest.trimStart().length);
    items.push({ ...base(col), kind: 'entry', key: body.slice(0, sep), value, valueCol });
  }
  return { items, trailing: comments, errors };
}

/** Fluent Bit's rule: exactly the file's indentation, or exactly twice it. */
function checkIndent(lead: string, indent: string): string | undefined {
  if (lead === indent || (lead.startsWith(indent) && lead.length === 2 * indent.length)) return undefined;
  if (!lead.startsWith(indent)) {
    const i = [...indent].findIndex((c, k) => lead[k] !== c);
    return i < lead.length ? 'inconsistent use of tabs and spaces in the indentation' : 'indentation is shallower than the rest of the file';
  }
  return 'indentation is deeper than the rest of the file';
}

function describeIndent(indent: string): string {
  const tabs = [...indent].filter((c) => c === '\t').length;
  const spaces = indent.length - tabs;
  if (tabs === 0) return `${spaces} space${spaces === 1 ? '' : 's'}`;
  if (spaces === 0) return `${tabs} tab${tabs === 1 ? '' : 's'}`;
  return `${spaces} space(s) and ${tabs} tab(s)`;
}
