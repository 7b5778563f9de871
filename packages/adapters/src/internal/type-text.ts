/**
 * Splits a type's parameter list at the commas that are not nested in brackets or in a
 * quoted name: `a BIGINT, b STRUCT(x INT, y INT)` → two parts. Parts come back trimmed.
 *
 * @param quote - the character that quotes names (`"` in DuckDB, a backtick in our type names)
 * @param open - the characters that open a nesting level, e.g. `"("` or `"<("`
 * @param close - the characters that close one, e.g. `")"` or `">)"`
 */
export function splitTopLevel(text: string, quote: string, open: string, close: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === quote) quoted = !quoted;
    else if (quoted) continue;
    else if (open.includes(char)) depth++;
    else if (close.includes(char)) depth--;
    else if (char === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/**
 * Reads a name quoted with `quote` at the start of `text`, where a doubled quote stands
 * for one (`"a""b"` → `a"b`). Returns the name and the text after the closing quote.
 */
export function readQuotedName(text: string, quote: string): { name: string; rest: string } {
  let name = "";
  let i = 1;
  for (; i < text.length; i++) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        name += quote;
        i++;
        continue;
      }
      break;
    }
    name += text[i];
  }
  return { name, rest: text.slice(i + 1) };
}
