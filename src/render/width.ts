// How wide a table cell prints, for cli-table3 (build.mjs routes its `string-width` here) and for
// the table fitting and wrapping of render/table.ts.
// string-width builds and runs its whole emoji regular expression on every cell, ~10-15 ms of
// a table's cold start; the cells are nearly always printable ASCII, whose width is their length.

import stringWidth from 'string-width';

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what it removes.
const SGR = /\u001b\[[0-9;]*m/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a colour code exactly at lastIndex (sticky).
const SGR_AT = /\u001b\[[0-9;]*m/y;
// Printable ASCII, and the few narrow marks infercost's tables print: the ellipsis cli-table3
// truncates with (measured on every truncated cell), dashes, middle dot, times, <= and >=.
const ONE_COLUMN_EACH = /^[\u0020-\u007e\u2026\u2013\u2014\u00b7\u00d7\u2264\u2265]*$/;

/**
 * The width of text made of printable ASCII and those marks, colour codes aside (its length, each
 * character one column); undefined for any other text.
 */
export function asciiWidth(s: string): number | undefined {
  const plain = s.includes('\u001b') ? s.replace(SGR, '') : s;
  return ONE_COLUMN_EACH.test(plain) ? plain.length : undefined;
}

/**
 * Screen columns of a line: its length for printable ASCII, else string-width's count (a CJK
 * character takes two, a combining mark none); colour codes take none.
 */
export function displayWidth(s: string): number {
  return asciiWidth(s) ?? stringWidth(s);
}

/**
 * The longest start of `s` that fits in `width` screen columns, by code point (at least one
 * printable character, so a cut always moves on). A colour code takes no column and is never
 * split: `slice` by length would count its bytes as columns and could cut it in two, leaving the
 * rest of the terminal's line in a stray colour.
 */
export function fitStart(s: string, width: number): string {
  if (!s.includes('\u001b') && asciiWidth(s) !== undefined) return s.slice(0, Math.max(1, width));
  let out = '';
  let used = 0;
  let took = false;
  let i = 0;
  while (i < s.length) {
    SGR_AT.lastIndex = i;
    const code = s.charCodeAt(i) === 0x1b ? SGR_AT.exec(s) : null;
    if (code !== null) {
      out += code[0];
      i += code[0].length;
      continue;
    }
    const ch = String.fromCodePoint(s.codePointAt(i) ?? 0);
    const w = displayWidth(ch);
    if (took && used + w > width) break;
    out += ch;
    used += w;
    took = true;
    i += ch.length;
  }
  return out;
}
