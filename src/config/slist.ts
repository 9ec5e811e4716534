/**
 * Fluent Bit's space-separated option values (its SLIST config type: `record KEY VALUE`,
 * `rule $key ^regex$ new.tag false`), read as Fluent Bit reads them:
 * - words are separated by spaces (not tabs); runs of spaces count as one;
 * - a word may be double-quoted to hold spaces; `\"` inside quotes is a quote;
 * - with `maxSplit` n > 0, after n words the rest of the text (from the next non-space) is one
 *   more, last entry, as written (quotes kept).
 */
export function splitTokens(text: string, maxSplit = 0): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (text[i] === ' ') i++;
    if (i >= n) break;
    if (maxSplit > 0 && out.length === maxSplit) {
      out.push(text.slice(i));
      break;
    }
    if (text[i] === '"') {
      let j = i + 1;
      while (j < n && !(text[j] === '"' && text[j - 1] !== '\\')) j++;
      out.push(text.slice(i + 1, j).replace(/\\"/g, '"'));
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < n && text[j] !== ' ') j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}
