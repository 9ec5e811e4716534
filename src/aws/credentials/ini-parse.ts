/**
 * The INI dialect of the AWS shared config and credentials files, read as the AWS SDKs read it
 * (the SDKs and Tools Reference Guide, "Shared config and credentials files", and the SDKs' shared
 * parser test vectors):
 * - `[header]` at the start of a line; a comment (`#` or `;`) may follow the `]`;
 * - `key = value`: key and value trimmed, keys case-insensitive (kept lower-case), the first `=`
 *   splits, a `#` or `;` starts a comment in a value only when whitespace precedes it;
 * - a line starting with `#` or `;` is a comment; blank lines are ignored;
 * - a line starting with a space or tab continues the property before it: its trimmed text is
 *   appended after a newline. Under a property with an empty value (`s3 =`) those lines are
 *   sub-properties (`name = value`), also kept as the property's text;
 * - property names are made of `A-Za-z0-9_-/.%@:+`; others are ignored.
 * Where an SDK would reject the file, this parser keeps going: the line (or a section whose header
 * is broken, with its properties) is skipped with a warning naming FILE:LINE. It never guesses
 * where a skipped line belonged.
 */

export interface IniWarning {
  file: string;
  line: number;
  message: string;
}

/** One `[header]` and what followed it, up to the next header. */
export interface IniSection {
  /** The text between the brackets, trimmed. */
  header: string;
  line: number;
  /** Properties (lower-case keys), values as the SDKs keep them (continuations joined by `\n`). */
  values: Record<string, string>;
  /** Sub-properties of a property with an empty value: `s3 =` then `  max_concurrent_requests = 20`. */
  subs: Record<string, Record<string, string>>;
}

export interface ParsedIni {
  sections: IniSection[];
  warnings: IniWarning[];
}

/** Profile, section and property names the SDKs accept. */
export const NAME_CHARS = /^[A-Za-z0-9_\-/.%@:+]+$/;

/** A value up to its comment: `#` or `;` only after whitespace. */
function stripComment(value: string): string {
  const m = /[ \t][#;]/.exec(value);
  return m ? value.slice(0, m.index) : value;
}

/** Header text of `[ ... ]` followed by nothing or a comment; undefined when the line is not one. */
function headerOf(line: string): { header?: string; problem?: string } {
  const close = line.indexOf(']');
  if (close < 0) return { problem: "a section header without its closing ']'" };
  const rest = line.slice(close + 1).trim();
  if (rest !== '' && rest[0] !== '#' && rest[0] !== ';') return { problem: `text after the section header's ']' (${JSON.stringify(rest.slice(0, 20))})` };
  const header = line.slice(1, close).trim();
  if (header === '') return { problem: 'an empty section header []' };
  return { header };
}

/** Parse one file's text; `file` names it in warnings. */
export function parseIni(text: string, file: string): ParsedIni {
  const sections: IniSection[] = [];
  const warnings: IniWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ file, line, message });
  /** The section lines go to: undefined before any header; null after a header that was skipped. */
  let section: IniSection | null | undefined;
  /** The property continuation lines extend: undefined when none, null after a skipped line. */
  let prop: string | null | undefined;
  let subMode = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.trim() === '') continue;
    const c = line[0];
    if (c === '#' || c === ';') continue;
    if (c === '[') {
      const h = headerOf(line);
      prop = undefined;
      if (h.header === undefined) {
        section = null;
        warn(n, `${h.problem}: this section and its properties are skipped`);
        continue;
      }
      section = { header: h.header, line: n, values: {}, subs: {} };
      sections.push(section);
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (section === null || prop === null) continue; // part of something already skipped
      const body = line.trim();
      if (section === undefined) { warn(n, 'an indented line before any section header: skipped'); continue; }
      if (prop === undefined) { warn(n, `an indented line continues no property in [${section.header}]: skipped`); continue; }
      if (subMode) {
        const eq = body.indexOf('=');
        if (eq < 0) { warn(n, `a sub-property of ${prop} without '=': skipped`); continue; }
        const key = body.slice(0, eq).trim();
        if (key === '') { warn(n, `a sub-property of ${prop} without a name: skipped`); continue; }
        (section.subs[prop] ??= {})[key.toLowerCase()] = stripComment(body.slice(eq + 1)).trim();
      } else if (body[0] === '#' || body[0] === ';') {
        // The SDKs read it as part of the value; say so, since it looks like a comment.
        warn(n, `an indented line starting with '${body[0]}' continues the value of ${prop} (a comment must start at the beginning of the line)`);
      }
      section.values[prop] += `\n${body}`;
      continue;
    }
    if (section === null) continue;
    if (section === undefined) { warn(n, 'a property before any section header: skipped'); prop = null; continue; }
    const eq = line.indexOf('=');
    if (eq < 0) { warn(n, `a line without '=' in [${section.header}]: skipped`); prop = null; continue; }
    const key = line.slice(0, eq).trim();
    if (key === '') { warn(n, `a property without a name in [${section.header}]: skipped`); prop = null; continue; }
    if (!NAME_CHARS.test(key)) {
      warn(n, `property name ${JSON.stringify(key)} has characters other than A-Z a-z 0-9 _ - / . % @ : +: skipped`);
      prop = null;
      continue;
    }
    const value = stripComment(line.slice(eq + 1)).trim();
    prop = key.toLowerCase();
    section.values[prop] = value;
    delete section.subs[prop];
    subMode = value === '';
  }
  return { sections, warnings };
}
