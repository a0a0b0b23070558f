// How wide a table cell prints, for cli-table3 (build.mjs routes its `string-width` here).
// string-width builds and runs its whole emoji regular expression on every cell, ~10-15 ms of
// a table's cold start; the cells are nearly always printable ASCII, whose width is their length.

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
