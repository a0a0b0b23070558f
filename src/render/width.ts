// How wide a table cell prints, for cli-table3 (build.mjs routes its `string-width` here).
// string-width builds and runs its whole emoji regular expression on every cell, ~10-15 ms of
// a table's cold start; the cells are nearly always printable ASCII, whose width is their length.

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what it removes.
const SGR = /\u001b\[[0-9;]*m/g;
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

/** The width of printable ASCII text, colour codes aside (its length); undefined for any other text. */
export function asciiWidth(s: string): number | undefined {
  const plain = s.includes('\u001b') ? s.replace(SGR, '') : s;
  return PRINTABLE_ASCII.test(plain) ? plain.length : undefined;
}
