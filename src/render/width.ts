// How wide a table cell prints, for cli-table3 (build.mjs routes its `string-width` here) and for
// the table fitting and wrapping of render/table.ts.
// string-width builds and runs its whole emoji regular expression on every cell, ~10-15 ms of
// a table's cold start; the cells are nearly always printable ASCII, whose width is their length.

import stringWidth from 'string-width';

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what it removes.
const SGR = /\u001b\[[0-9;]*m/g;
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
 * The longest start of `s` that fits in `width` screen columns, by code point (at least one, so
 * a cut always moves on).
 */
export function fitStart(s: string, width: number): string {
  if (asciiWidth(s) !== undefined) return s.slice(0, Math.max(1, width));
  let out = '';
  let used = 0;
  for (const ch of s) {
    const w = displayWidth(ch);
    if (out !== '' && used + w > width) break;
    out += ch;
    used += w;
  }
  return out;
}
