import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiWidth } from '../../src/render/width.js';

// cli-table3's own measure, which asciiWidth stands in for whenever it answers.
const stringWidth = createRequire(import.meta.url)('string-width') as (s: string) => number;

describe('asciiWidth: what string-width says, for the text it answers for', () => {
  it('printable ASCII is its length, colour codes aside; other text is left to string-width', () => {
    expect(asciiWidth('h100-sxm 1,234')).toBe(14);
    expect(asciiWidth('\u001b[1m\u001b[33mB200\u001b[39m\u001b[22m')).toBe(4);
    expect(asciiWidth('')).toBe(0);
    expect(asciiWidth('cut\u2026 \u2264 2\u00d7')).toBe(9); // the truncation mark, <=, times
    expect(asciiWidth('\u5b57')).toBeUndefined(); // a wide CJK character
    expect(asciiWidth('tab\there')).toBeUndefined();
  });

  it('agrees with string-width wherever it answers (property)', () => {
    const sgr = fc.constantFrom(
      '\u001b[1m',
      '\u001b[22m',
      '\u001b[33m',
      '\u001b[39m',
      '\u001b[2m',
      '\u001b[0m',
    );
    const piece = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
      fc.constantFrom('\u2026', '\u2013', '\u2014', '\u00b7', '\u00d7', '\u2264', '\u2265'),
      sgr,
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const s = pieces.join('');
        const w = asciiWidth(s);
        if (w !== undefined) expect(w).toBe(stringWidth(s));
      }),
      { numRuns: 20_000 },
    );
  });
});
