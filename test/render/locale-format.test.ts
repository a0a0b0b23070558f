import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compact, fixed, grouped, localeNumber, ratio, sig, usd } from '../../src/render/format.js';

// The table's numbers are printed without Intl (its first use costs a cold start ~25 ms): they
// must be exactly what toLocaleString('en-US') printed.
const intl = (n: number, digits: number) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

describe('number formatting without Intl', () => {
  it('hand-picked cases: halves, carries, tiny, huge, negative zero', () => {
    expect(fixed(1.005, 2)).toBe('1.01'); // shortest form 1.005 rounds up; toFixed says 1.00
    expect(fixed(999.995, 2)).toBe('1,000.00');
    expect(fixed(1234567.891, 1)).toBe('1,234,567.9');
    expect(fixed(0.0000001234, 3)).toBe('0.000');
    expect(fixed(-0.001, 2)).toBe('-0.00');
    expect(fixed(1e21, 0)).toBe('1,000,000,000,000,000,000,000');
    expect(grouped(1499.5)).toBe('1,500');
    expect(grouped(-2500.5)).toBe('-2,500'); // Math.round goes up at .5
    expect(sig(1234.4)).toBe('1,234');
    expect(sig(999_999_999_999_999)).toBe('999,999,999,999,999');
    expect(sig(2.5e300)).toBe('2.50e+300'); // not 301 digits
    expect(sig(999.7)).toBe('1,000'); // not 1000 beside a grouped 1,000
    expect(sig(99.97)).toBe('100');
    // a ratio past a quadrillion as sig prints it (toFixed gave "1.7332401829219544e+303x")
    expect(ratio(1.7332401829219544e303)).toBe('1.73e+303x');
    expect(ratio(2.5)).toBe('2.50x');
    expect(localeNumber(1234.5)).toBe('1,234.5'); // trailing zeros dropped, as Intl does
    expect(localeNumber(-0.0001)).toBe('-0');
    for (const [n, d] of [
      [1.005, 2],
      [999.995, 2],
      [-0.001, 2],
      [1e21, 0],
      [0.0000001234, 3],
      [2.5, 0],
      [-2.5, 0],
    ] as const)
      expect(fixed(n, d)).toBe(intl(n, d));
  });

  it('dollars print to the cent, and below ten cents to two significant digits, never 0.00', () => {
    expect(usd(1234.567)).toBe('1,234.57');
    expect(usd(0.1)).toBe('0.10');
    expect(usd(0.0996)).toBe('0.10'); // rounds to ten cents: printed as cents
    expect(usd(0.0994)).toBe('0.099');
    expect(usd(0.00287)).toBe('0.0029'); // Llama 3.2 1B's $/1M out on maia-200 at tco prices
    expect(usd(1e-9)).toBe('1.0e-9');
    expect(usd(0)).toBe('0.00');
    expect(usd(Number.NaN)).toBe('-');
  });

  it('fixed and grouped equal toLocaleString on any finite double (property)', () => {
    const doubles = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.double({ min: -1e7, max: 1e7, noNaN: true }),
      // Decimals ending in 5 at every place: where rounding rules differ.
      fc
        .tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 6 }))
        .map(([m, k]) => (m * 10 + 5) / 10 ** k),
    );
    fc.assert(
      fc.property(doubles, fc.integer({ min: 0, max: 4 }), (n, d) => {
        expect(fixed(n, d)).toBe(intl(n, d));
        expect(grouped(n)).toBe(Math.round(n).toLocaleString('en-US'));
        expect(localeNumber(n)).toBe(n.toLocaleString('en-US'));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('compact counts', () => {
  it('whole counts below 1,000 print whole; larger ones take an SI suffix; fractions keep 3 figures', () => {
    // A 5 kW budget fills 3 B200s: "3", never "3.00".
    expect([compact(3), compact(12), compact(999), compact(0)]).toEqual(['3', '12', '999', '0']);
    expect([compact(1000), compact(641_000), compact(1.13e14)]).toEqual(['1k', '641k', '113T']);
    expect([compact(2.5), compact(0.125)]).toEqual(['2.50', '0.125']);
  });
});
